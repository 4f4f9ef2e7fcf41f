// A small MCP Apps host, built on the extension's own host bridge (AppBridge
// from @modelcontextprotocol/ext-apps) and the TypeScript SDK's client. It
// does what a chat client does with a tool that has a view: connects to the
// server declaring the extension, calls the tool, reads the tool's ui://
// resource, renders it in a sandboxed iframe under the default CSP (nothing
// from the network), and hands the view the call's input and result. Calls
// the view makes go to the server only for tools the view may call.
import { AppBridge, PostMessageTransport, RESOURCE_MIME_TYPE, getToolUiResourceUri } from "@modelcontextprotocol/ext-apps/app-bridge";
import { Client, StreamableHTTPClientTransport } from "@modelcontextprotocol/client";

const EXTENSION = "io.modelcontextprotocol/ui";
const CSP = "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'";
const hostInfo = { name: "kubemcp-apps-test-host", version: "0" };

// What the test reads back: the view's calls and anything that went wrong.
window.host = { calls: [], errors: [], ready: false };

async function main() {
  const q = new URLSearchParams(location.search);
  const name = q.get("tool"), args = JSON.parse(q.get("args") || "{}");
  const client = new Client(hostInfo, { capabilities: { extensions: { [EXTENSION]: { mimeTypes: [RESOURCE_MIME_TYPE] } } } });
  await client.connect(new StreamableHTTPClientTransport(new URL("/mcp", location.href)));
  const { tools } = await client.listTools();
  const tool = tools.find((t) => t.name === name);
  const uri = tool && getToolUiResourceUri(tool);
  if (!uri) throw new Error(`${name} has no view: _meta ${JSON.stringify(tool && tool._meta)}`);
  const read = await client.readResource({ uri });
  const page = read.contents[0];
  if (page.mimeType !== RESOURCE_MIME_TYPE) throw new Error(`${uri} is ${page.mimeType}`);

  const iframe = document.createElement("iframe");
  iframe.setAttribute("sandbox", "allow-scripts"); // an opaque origin: no cookies, no storage, no parent DOM
  iframe.title = `${name} view`;
  document.body.append(iframe);
  const bridge = new AppBridge(client, hostInfo, { serverTools: {}, serverResources: {} }, { hostContext: { theme: "light", displayMode: "inline" } });
  bridge.onsizechange = ({ height }) => { if (height) iframe.style.height = `${height}px`; };
  const initialized = new Promise((resolve) => { bridge.oninitialized = resolve; });
  await bridge.connect(new PostMessageTransport(iframe.contentWindow, iframe.contentWindow));
  // As a host must: a view may call only tools whose visibility includes "app".
  bridge.oncalltool = async (params) => {
    const t = tools.find((x) => x.name === params.name);
    const visibility = t && t._meta && t._meta.ui && t._meta.ui.visibility;
    window.host.calls.push(params);
    if (!t || (visibility && !visibility.includes("app"))) throw new Error(`${params.name} is not for views`);
    return client.callTool(params);
  };
  iframe.srcdoc = page.text.replace("<head>", `<head><meta http-equiv="Content-Security-Policy" content="${CSP}">`);
  await initialized;

  const result = await client.callTool({ name, arguments: args });
  await bridge.sendToolInput({ arguments: args });
  await bridge.sendToolResult(result);
  window.host.ready = true;
}

main().catch((err) => window.host.errors.push(String(err && err.stack || err)));
