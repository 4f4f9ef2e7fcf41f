#!/usr/bin/env node
// client.mjs: a tiny MCP client CLI on the TypeScript SDK v1 (@modelcontextprotocol/sdk),
// used by kubemcp's Go e2e tests to drive the server from a real non-Go client.
//
// Usage:
//   node client.mjs [options] [operations] --stdio -- <command> [args...]
//   node client.mjs [options] [operations] --url http://127.0.0.1:PORT/mcp
//   node client.mjs [options] [operations] --url ws://127.0.0.1:PORT/ws   (WebSocket)
//
// Options:
//   --header 'Name: value'   extra HTTP header (repeatable; --url only)
//   --timeout <ms>           per-request timeout (default 30000)
// Operations, run in the order given:
//   --list-tools                       tools/list (all pages)
//   --call <tool> [--args '<json>']    tools/call (repeatable; --args defaults to {})
//
// Prints exactly one JSON document on stdout:
//   {"serverInfo":{...}|null, "protocolVersion":"..."|null, "capabilities":{...}|null,
//    "tools":["name",...]|null, "calls":[{"name","isError","text","structuredContent","error"}],
//    "error":null|"message", "httpStatus":null|401}
// Exit 0 when it connected and ran every operation (a call that is isError or that got a
// JSON-RPC error still counts), 1 on a connection/transport failure, 2 on bad usage.
// The stdio server's stderr is passed through to this process's stderr.

import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPError } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { ErrorCode, McpError } from '@modelcontextprotocol/sdk/types.js';
import { checkTarget, stdioTarget, transportFor } from './target.mjs';

const out = {
  serverInfo: null,
  protocolVersion: null,
  capabilities: null,
  tools: null,
  calls: [],
  error: null,
  httpStatus: null,
};

let printed = false;
function finish(code) {
  if (!printed) {
    printed = true;
    process.stdout.write(JSON.stringify(out) + '\n', () => process.exit(code));
  } else {
    process.exit(code);
  }
}

function usage(msg) {
  out.error = `usage: ${msg}`;
  finish(2);
}

function parseArgs(argv) {
  const opts = { url: null, stdio: null, headers: {}, timeout: 30000, ops: [] };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const next = () => {
      if (i + 1 >= argv.length) throw new Error(`${a} needs a value`);
      return argv[++i];
    };
    switch (a) {
      case '--url':
        opts.url = next();
        break;
      case '--header': {
        const h = next();
        const idx = h.indexOf(':');
        if (idx <= 0) throw new Error(`bad --header ${JSON.stringify(h)}, want 'Name: value'`);
        opts.headers[h.slice(0, idx).trim()] = h.slice(idx + 1).trim();
        break;
      }
      case '--timeout':
        opts.timeout = Number(next());
        if (!Number.isFinite(opts.timeout) || opts.timeout <= 0) throw new Error('bad --timeout');
        break;
      case '--list-tools':
        opts.ops.push({ op: 'list-tools' });
        break;
      case '--call':
        opts.ops.push({ op: 'call', name: next(), args: {} });
        break;
      case '--args': {
        const last = opts.ops[opts.ops.length - 1];
        if (!last || last.op !== 'call') throw new Error('--args must follow --call <tool>');
        const raw = next();
        let v;
        try {
          v = JSON.parse(raw);
        } catch (e) {
          throw new Error(`--args is not JSON: ${e.message}`);
        }
        if (v === null || typeof v !== 'object' || Array.isArray(v)) throw new Error('--args must be a JSON object');
        last.args = v;
        break;
      }
      case '--stdio':
        opts.stdio = stdioTarget(argv, i);
        i = argv.length;
        break;
      default:
        throw new Error(`unknown argument ${JSON.stringify(a)}`);
    }
  }
  checkTarget(opts);
  if (opts.stdio && Object.keys(opts.headers).length) throw new Error('--header needs --url');
  return opts;
}

// Record the HTTP status of a failed streamable-HTTP exchange (e.g. 401, 403, 404).
function noteHTTPStatus(e) {
  if (e instanceof StreamableHTTPError && Number.isInteger(e.code) && e.code >= 100) out.httpStatus = e.code;
}

function errMessage(e) {
  if (e instanceof Error) return e.message || String(e);
  return String(e);
}

async function main() {
  let opts;
  try {
    opts = parseArgs(process.argv.slice(2));
  } catch (e) {
    return usage(errMessage(e));
  }

  const transport = transportFor(opts, (v) => (out.protocolVersion = v));
  const client = new Client({ name: 'kubemcp-e2e-node-client', version: '0.0.0' }, { capabilities: {} });
  const reqOpts = { timeout: opts.timeout };

  try {
    await client.connect(transport, reqOpts);
  } catch (e) {
    out.error = `connect: ${errMessage(e)}`;
    noteHTTPStatus(e);
    await client.close().catch(() => {});
    return finish(1);
  }
  out.serverInfo = client.getServerVersion() ?? null;
  out.capabilities = client.getServerCapabilities() ?? null;

  try {
    for (const op of opts.ops) {
      if (op.op === 'list-tools') {
        const names = [];
        let cursor;
        do {
          const res = await client.listTools(cursor ? { cursor } : {}, reqOpts);
          for (const t of res.tools) names.push(t.name);
          cursor = res.nextCursor;
        } while (cursor);
        out.tools = names;
      } else {
        const entry = { name: op.name, isError: false, text: '', structuredContent: null, error: null };
        try {
          const res = await client.callTool({ name: op.name, arguments: op.args }, undefined, reqOpts);
          entry.isError = res.isError === true;
          entry.text = (res.content ?? [])
            .filter((c) => c.type === 'text')
            .map((c) => c.text)
            .join('\n');
          entry.structuredContent = res.structuredContent ?? null;
        } catch (e) {
          // A JSON-RPC error answer (e.g. unknown tool) or the SDK rejecting the result (e.g.
          // structuredContent not matching the tool's outputSchema) is a failed call, not a lost
          // connection. ConnectionClosed (-32000) and RequestTimeout (-32001) are.
          if (!(e instanceof McpError) || e.code === ErrorCode.ConnectionClosed || e.code === ErrorCode.RequestTimeout) throw e;
          entry.isError = true;
          entry.text = e.message;
          entry.error = { code: e.code, message: e.message, data: e.data ?? null };
        }
        out.calls.push(entry);
      }
    }
  } catch (e) {
    out.error = errMessage(e);
    noteHTTPStatus(e);
    await client.close().catch(() => {});
    return finish(1);
  }

  await client.close().catch(() => {});
  finish(0);
}

main().catch((e) => {
  out.error = `internal: ${errMessage(e)}`;
  finish(1);
});
