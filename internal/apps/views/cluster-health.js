// cluster_health: the apiserver, nodes by state, and the issues by reason.
kubemcp.view("cluster_health", (out) => {
  const { h, stat, table, note } = kubemcp;
  const nodes = out.nodes || {}, issues = out.issues || {};
  const reasons = Object.entries(out.reasons || {}).sort((a, b) => b[1] - a[1]);
  return [
    h("div", { class: "stats" },
      stat("apiserver", out.ready ? "ready" : "not ready", out.ready ? "ok" : "bad"),
      stat("nodes ready", nodes.ready + " of " + nodes.total, nodes.ready === nodes.total ? "ok" : "bad"),
      stat("critical issues", issues.critical, issues.critical ? "bad" : "ok"),
      stat("warnings", issues.warning, issues.warning ? "warn" : "ok")),
    reasons.length ? table("Issues by reason", ["Reason", "Count"], reasons) : h("p", { class: "ok" }, "No issues found."),
    note(out.failed_checks, "Failed readiness checks"),
    note([].concat(nodes.not_ready || [], nodes.pressure || [], nodes.cordoned || []), "Nodes not ready, under pressure or cordoned"),
    note(out.readyz_error ? [out.readyz_error] : [], "Readiness checks unread"),
    note(out.unchecked, "Not checked"),
  ];
});
