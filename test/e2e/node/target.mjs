// target.mjs: what client.mjs and live.mjs share: the server to reach (--url URL or
// --stdio -- <command> [args...]) and a transport to it that reports the protocol version
// the client negotiates.

import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { WebSocketClientTransport } from '@modelcontextprotocol/sdk/client/websocket.js';

// stdioTarget reads `--stdio -- <command> [args...]` starting at argv[i]: everything after
// `--` is the server's command line.
export function stdioTarget(argv, i) {
  if (argv[i + 1] !== '--' || i + 2 >= argv.length) throw new Error('want --stdio -- <command> [args...]');
  return { command: argv[i + 2], args: argv.slice(i + 3) };
}

// checkTarget throws unless opts has exactly one of url and stdio.
export function checkTarget(opts) {
  if (!opts.url === !opts.stdio) throw new Error('give exactly one of --url URL or --stdio -- <command...>');
}

// transportFor reaches opts.stdio (with this process's whole environment, where the SDK's
// default keeps only a few variables, and the server's stderr passed through) or opts.url
// (with opts.headers): streamable HTTP, or WebSocket for a ws:// or wss:// URL (the SDK's
// WebSocket transport sends no headers). It calls onVersion with the negotiated protocol
// version: the v1 Client hands it only to the transport, through setProtocolVersion.
export function transportFor(opts, onVersion) {
  const transport = opts.stdio ? stdioTransport(opts.stdio) : urlTransport(new URL(opts.url), opts.headers ?? {});
  const origSet = transport.setProtocolVersion?.bind(transport);
  transport.setProtocolVersion = (v) => {
    onVersion(v);
    if (origSet) origSet(v);
  };
  return transport;
}

function stdioTransport(stdio) {
  return new StdioClientTransport({ command: stdio.command, args: stdio.args, env: { ...process.env }, stderr: 'inherit' });
}

function urlTransport(url, headers) {
  if (url.protocol !== 'ws:' && url.protocol !== 'wss:') {
    return new StreamableHTTPClientTransport(url, { requestInit: { headers } });
  }
  if (Object.keys(headers).length) throw new Error('--header is not sent over WebSocket');
  return new WebSocketClientTransport(url);
}
