// kubemcp's view runtime: the view side of MCP Apps (JSON-RPC over
// postMessage with the host: ui/initialize, the tool's input and result,
// tools/call for the refresh) and the DOM helpers the views draw with.
// Hand-written rather than the ext-apps App class, whose bundle with its
// dependencies is about 540 KB: each view here is one small page.
// Cluster data is untrusted: it only ever becomes text nodes, never markup.
"use strict";
const kubemcp = (() => {
  const PROTOCOL = "2026-01-26";
  const pending = new Map();
  let nextId = 1, tool = "", args = {}, draw = null;

  const post = (m) => window.parent.postMessage({ jsonrpc: "2.0", ...m }, "*");
  const notify = (method, params) => post({ method, params });
  function request(method, params) {
    const id = nextId++;
    post({ id, method, params });
    return new Promise((resolve, reject) => pending.set(id, { resolve, reject }));
  }

  function onMessage(e) {
    const m = e.data;
    if (e.source !== window.parent || !m || m.jsonrpc !== "2.0") return;
    if (m.method === undefined) {
      const p = pending.get(m.id);
      pending.delete(m.id);
      if (p) m.error ? p.reject(new Error(m.error.message)) : p.resolve(m.result);
      return;
    }
    switch (m.method) {
      case "ui/notifications/tool-input": args = m.params.arguments || {}; break;
      case "ui/notifications/tool-result": show(m.params); break;
      case "ui/notifications/host-context-changed": theme(m.params); break;
      case "ui/resource-teardown": case "ping": post({ id: m.id, result: {} }); break;
      default:
        if (m.id !== undefined) post({ id: m.id, error: { code: -32601, message: "kubemcp views do not handle " + m.method } });
    }
  }

  function theme(ctx) {
    if (ctx && ctx.theme) document.documentElement.dataset.theme = ctx.theme;
  }

  // h makes an element; strings among the children become text nodes.
  function h(tag, props, ...children) {
    const el = document.createElement(tag);
    for (const [k, v] of Object.entries(props || {})) el.setAttribute(k, v);
    for (const c of children.flat(2)) {
      if (c !== null && c !== undefined && c !== false) el.append(c instanceof Node ? c : String(c));
    }
    return el;
  }

  const stat = (label, value, tone) =>
    h("div", { class: "stat " + (tone || "") }, h("span", { class: "value" }, value), h("span", { class: "label" }, label));

  function table(caption, headers, rows) {
    return h("table", {}, h("caption", {}, caption),
      h("thead", {}, h("tr", {}, headers.map((x) => h("th", { scope: "col" }, x)))),
      h("tbody", {}, rows.map((r) => h("tr", {}, r.map((c) => h("td", {}, c))))));
  }

  const note = (lines, title) => (lines && lines.length ? h("div", { class: "note" }, h("strong", {}, title), h("ul", {}, lines.map((l) => h("li", {}, l)))) : null);
  const count = (n, noun) => n + " " + noun + (n === 1 ? "" : "s");
  const severity = (s) => h("span", { class: { critical: "bad", warning: "warn" }[s] || "" }, s);
  const cpu = (m) => (m >= 1000 ? (m / 1000).toFixed(1) + " cores" : m + "m");
  function bytes(b) {
    const units = ["B", "KiB", "MiB", "GiB", "TiB"];
    let i = 0;
    for (; b >= 1024 && i < units.length - 1; i++) b /= 1024;
    return (i ? b.toFixed(1) : b) + " " + units[i];
  }

  function textOf(result) {
    return (result.content || []).filter((c) => c.type === "text").map((c) => c.text).join("\n");
  }

  // part draws one cluster's share of a call that named several clusters.
  function part(p) {
    const body = p.result ? draw(p.result) : h("p", { class: "bad" }, p.skipped ? "Not asked: unreachable a moment ago." : p.timed_out ? "No answer in time." : p.error);
    return h("section", { class: "cluster" }, h("h2", {}, p.cluster), body);
  }

  function show(result) {
    const root = document.getElementById("view");
    const sc = result.structuredContent;
    let body;
    if (result.isError || !sc) body = h("p", { class: "bad", role: "alert" }, textOf(result) || "The tool gave no answer to show.");
    else if (Array.isArray(sc.clusters)) body = sc.clusters.map(part);
    else body = draw(sc);
    root.replaceChildren(...[body].flat(2).filter(Boolean));
    document.getElementById("asof").textContent = "as of " + new Date().toLocaleTimeString();
    document.getElementById("refresh").disabled = false;
  }

  async function refresh() {
    const button = document.getElementById("refresh");
    button.disabled = true;
    document.getElementById("asof").textContent = "refreshing…";
    try {
      show(await request("tools/call", { name: "view_refresh", arguments: { tool, arguments: args } }));
    } catch (err) {
      document.getElementById("asof").textContent = "refresh failed: " + err.message;
      button.disabled = false;
    }
  }

  // view starts the view that shows toolName's answers, drawn by render
  // from one cluster's structuredContent.
  async function view(toolName, render) {
    tool = toolName;
    draw = render;
    window.addEventListener("message", onMessage);
    document.getElementById("refresh").addEventListener("click", refresh);
    const init = await request("ui/initialize", {
      appInfo: { name: "kubemcp " + toolName, version: "1" }, appCapabilities: {}, protocolVersion: PROTOCOL,
    });
    theme(init.hostContext);
    notify("ui/notifications/initialized", {});
    const size = () => notify("ui/notifications/size-changed", { width: document.documentElement.scrollWidth, height: document.documentElement.scrollHeight });
    new ResizeObserver(size).observe(document.body);
  }

  return { view, h, stat, table, note, count, severity, cpu, bytes };
})();
