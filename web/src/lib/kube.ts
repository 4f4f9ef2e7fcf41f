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
