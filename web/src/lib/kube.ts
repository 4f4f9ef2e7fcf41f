// The rows the console's streams carry: the structured output of kubemcp's
// pods_list, events_list and nodes_list tools.

export interface Pod {
  namespace: string;
  name: string;
  ready: string; // "1/2"
  status: string;
  restarts: number;
  created: string;
  node?: string;
}

export interface KubeEvent {
  namespace: string;
  type: string; // Normal or Warning
  reason: string;
  object: string;
  count: number;
  lastSeen: string;
  source?: string;
  message: string;
}

export interface Node {
  name: string;
  status: string;
  ready: boolean;
  unschedulable: boolean;
  roles: string[] | null;
  version: string;
  allocatable: { cpu?: string; memory?: string; pods?: string };
  problems: string[] | null;
}

const settled = new Set(["Running", "Succeeded", "Completed"]);

// podIssue says what is wrong with p, or "" when nothing is: a status
// other than running or finished, or containers not ready. Restarts alone
// are not an issue: one long ago would be shown for ever.
export function podIssue(p: Pod): string {
  if (!settled.has(p.status)) return p.status;
  const [ready, all] = p.ready.split("/").map(Number);
  if (p.status === "Running" && ready < all) return `${p.ready} ready`;
  return "";
}

// Row is a row of resources_list (deployments, services): kubectl get's
// columns by name.
export interface Row {
  name: string;
  namespace?: string;
  cells: Record<string, string>;
}

export type Severity = "critical" | "warning" | "info";

// bySeverity orders findings the worst first.
export const bySeverity = (a: { severity: Severity }, b: { severity: Severity }) => rank[a.severity] - rank[b.severity];
const rank: Record<Severity, number> = { critical: 0, warning: 1, info: 2 };

// Finding is one of find_issues's findings.
export interface Finding {
  severity: Severity;
  kind: string;
  namespace?: string;
  name: string;
  reason: string;
  evidence: string;
  message?: string;
  next: string;
}

// SecurityFinding is one of security_scan's findings: an unsafe setting
// and its fix.
export interface SecurityFinding {
  severity: Severity;
  namespace: string;
  object: string; // deployment/web, or pod/name when nothing owns it
  container?: string;
  check: string; // Privileged, HostPath, RunAsRoot, NoLimits, LatestTag…
  detail: string;
  fix: string;
}

// rolloutIssue says what is wrong with a deployment row, or "": fewer
// replicas ready (READY "1/3") or up to date than wanted.
export function rolloutIssue(r: Row): string {
  const [ready, want] = (r.cells["READY"] ?? "").split("/").map(Number);
  if (Number.isNaN(ready) || Number.isNaN(want)) return "";
  if (ready < want) return `${ready}/${want} ready`;
  const upToDate = Number(r.cells["UP-TO-DATE"]);
  if (!Number.isNaN(upToDate) && upToDate < want) return `${upToDate}/${want} up to date`;
  return "";
}
