// nodes_top: each node's CPU and memory in use, against what it can allocate.
kubemcp.view("nodes_top", (out) => {
  const { h, table, count, cpu, bytes } = kubemcp;
  const share = (used, pct) => [pct === undefined ? "" : h("meter", { min: "0", max: "100", value: String(pct), "aria-label": pct + "%" }), used, pct === undefined ? "" : " (" + pct + "%)"];
  const nodes = out.nodes || [];
  return nodes.length
    ? table(nodes.length < out.matched ? nodes.length + " of " + count(out.matched, "node") : count(out.matched, "node"), ["Node", "CPU", "Memory"],
      nodes.map((n) => [n.name, share(cpu(n.cpu_millicores), n.cpu_percent), share(bytes(n.memory_bytes), n.memory_percent)]))
    : h("p", { class: "muted" }, "No nodes matched.");
});
