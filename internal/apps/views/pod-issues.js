// find_issues: failing pods, stuck rollouts and the rest, most urgent first.
kubemcp.view("find_issues", (out) => {
  const { h, stat, table, note, count, severity } = kubemcp;
  const counts = out.counts || {}, findings = out.findings || [];
  return [
    h("div", { class: "stats" },
      stat("critical", counts.critical, counts.critical ? "bad" : "ok"),
      stat("warning", counts.warning, counts.warning ? "warn" : "ok"),
      stat("info", counts.info)),
    findings.length
      ? table(findings.length < out.matched ? findings.length + " of " + count(out.matched, "issue") : count(out.matched, "issue"),
        ["Severity", "Namespace", "Object", "Reason", "Evidence"],
        findings.map((f) => [severity(f.severity), f.namespace || "", f.kind.toLowerCase() + "/" + f.name, f.reason, f.evidence]))
      : h("p", { class: "ok" }, "No issues found."),
    note(out.unchecked, "Not checked"),
  ];
});
