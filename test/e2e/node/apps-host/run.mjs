// run.mjs renders kubemcp's MCP Apps views in Chromium through host.js and
// prints, as JSON, what each view showed before and after its refresh button.
//
//   node run.mjs --url http://127.0.0.1:PORT/mcp --chromium /usr/bin/chromium \
//     --shots DIR --views '[{"tool":"cluster_health","args":{}}]'
//
// After drawing a view it prints {"rendered": tool} on a line of its own and
// waits for a line on stdin before it clicks Refresh, so that the test can
// change the cluster in between. The page and kubemcp are served from one
// origin here, a proxy forwarding /mcp, as a chat client's own backend would
// talk to the server.
import http from "node:http";
import readline from "node:readline";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import * as esbuild from "esbuild";
import { chromium } from "playwright-core";

const { values: opt } = parseArgs({ options: { url: { type: "string" }, chromium: { type: "string" }, shots: { type: "string" }, views: { type: "string" } } });
const here = path.dirname(fileURLToPath(import.meta.url));

const bundle = await esbuild.build({ entryPoints: [path.join(here, "host.js")], bundle: true, format: "esm", platform: "browser", write: false, logLevel: "error" });
const page = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>MCP Apps host</title>
<style>body{font:14px system-ui;margin:16px;background:#f6f8fa}iframe{width:760px;height:200px;border:1px solid #d1d9e0;border-radius:8px;background:#fff}</style></head>
<body><script type="module">${bundle.outputFiles[0].text.replaceAll("</script", "<\\/script")}</script></body></html>`;

const target = new URL(opt.url);
const server = http.createServer((req, res) => {
  if (!req.url.startsWith("/mcp")) {
    res.writeHead(200, { "content-type": "text/html; charset=utf-8" }).end(page);
    return;
  }
  // The browser's Origin is the page's, not kubemcp's: a backend does not send one.
  const headers = { ...req.headers, host: target.host };
  delete headers.origin;
  delete headers.referer;
  const up = http.request({ host: target.hostname, port: target.port, path: target.pathname, method: req.method, headers }, (r) => {
    res.writeHead(r.statusCode, r.headers);
    r.pipe(res);
  });
  up.on("error", (err) => res.headersSent ? res.destroy() : res.writeHead(502).end(String(err)));
  res.on("close", () => up.destroy()); // the browser went away: so does its stream from kubemcp
  req.pipe(up);
});
await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
const origin = `http://127.0.0.1:${server.address().port}`;

const rl = readline.createInterface({ input: process.stdin });
const lines = rl[Symbol.asyncIterator]();
const browser = await chromium.launch({ executablePath: opt.chromium, args: ["--no-sandbox"] });
const out = [];
try {
  for (const v of JSON.parse(opt.views)) out.push(await render(v));
} finally {
  await browser.close();
  server.close();
  server.closeAllConnections();
  rl.close();
}
process.stdout.write(JSON.stringify({ views: out }) + "\n");

async function render({ tool, args }) {
  const tab = await browser.newPage({ viewport: { width: 820, height: 900 } });
  const logs = [];
  tab.on("console", (m) => { if (m.type() === "error") logs.push(m.text()); });
  tab.on("pageerror", (e) => logs.push(String(e)));
  await tab.goto(`${origin}/?tool=${tool}&args=${encodeURIComponent(JSON.stringify(args || {}))}`);
  await tab.waitForFunction(() => window.host && (window.host.ready || window.host.errors.length), null, { timeout: 30000 });
  const host = await tab.evaluate(() => window.host);
  if (host.errors.length) return { tool, errors: host.errors, logs };
  const view = tab.frameLocator("iframe").locator("body");
  const asOf = tab.frameLocator("iframe").locator("#asof");
  await asOf.filter({ hasText: "as of" }).waitFor({ timeout: 15000 });
  const text = await view.innerText();
  if (opt.shots) await tab.locator("iframe").screenshot({ path: path.join(opt.shots, `mcp-app-${tool}.png`) });
  process.stdout.write(JSON.stringify({ rendered: tool }) + "\n");
  await lines.next();
  await tab.frameLocator("iframe").getByRole("button", { name: "Refresh" }).click();
  await tab.waitForFunction(() => window.host.calls.length > 0, null, { timeout: 15000 });
  await tab.frameLocator("iframe").locator("#refresh:not([disabled])").waitFor({ timeout: 15000 });
  const after = await tab.evaluate(() => window.host);
  const refreshed = await view.innerText();
  const sandbox = await tab.locator("iframe").getAttribute("sandbox");
  await tab.close();
  return { tool, text, refreshed, calls: after.calls, errors: after.errors, logs, sandbox };
}
