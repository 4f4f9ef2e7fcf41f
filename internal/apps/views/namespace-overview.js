// namespace_overview: a namespace's objects by status, issues, warnings and
// top consumers.
kubemcp.view("namespace_overview", (out) => {
  const { h, stat, table, note, severity, cpu, bytes } = kubemcp;
  const status = (s) => Object.entries(s || {}).map(([k, v]) => k + " " + v).join(", ");
  const counts = (out.counts || []).filter((c) => c.total > 0);
  return [
    h("h2", {}, "Namespace " + out.namespace),
    h("div", { class: "stats" },
      counts.map((c) => stat(c.kind, c.total)),
      stat("issues", out.issues_found, out.issues_found ? "bad" : "ok")),
    counts.length ? table("Objects by status", ["Kind", "Total", "By status"], counts.map((c) => [c.kind, c.total, status(c.by_status)])) : null,
    (out.issues || []).length
      ? table("Issues", ["Severity", "Object", "Reason", "Evidence"], out.issues.map((f) => [severity(f.severity), f.kind.toLowerCase() + "/" + f.name, f.reason, f.evidence]))
      : h("p", { class: "ok" }, "No issues found."),
    (out.warnings || []).length
      ? table("Recent warnings", ["Reason", "Object", "Count", "Message"], out.warnings.map((w) => [w.reason, w.object, w.count, w.message]))
      : null,
    (out.top_consumers || []).length
      ? table("Top consumers", ["Workload", "Pods", "CPU", "Memory"], out.top_consumers.map((c) => [c.workload, c.pods, cpu(c.usage.cpu_millicores), bytes(c.usage.memory_bytes)]))
      : h("p", { class: "muted" }, out.metrics ? "Usage: " + out.metrics : "No usage to show."),
    note(out.unchecked, "Not checked"),
  ];
});
