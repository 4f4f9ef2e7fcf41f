import type { KubeEvent } from "../../lib/kube";

export interface EventFilter {
  cluster: string;
  namespace: string;
  type: string; // "", "Warning" or "Normal"
  reason: string;
  text: string;
}

export const noFilter: EventFilter = { cluster: "", namespace: "", type: "", reason: "", text: "" };

// matches says whether e passes f: cluster and type exactly, namespace and
// reason by prefix, text anywhere in the object or message; case aside.
export function matches(e: KubeEvent & { cluster: string }, f: EventFilter): boolean {
  const has = (s: string, sub: string) => s.toLowerCase().includes(sub.toLowerCase());
  const starts = (s: string, pre: string) => s.toLowerCase().startsWith(pre.toLowerCase());
  return (
    (!f.cluster || e.cluster === f.cluster) &&
    (!f.type || e.type === f.type) &&
    starts(e.namespace, f.namespace) &&
    starts(e.reason, f.reason) &&
    (!f.text || has(e.message, f.text) || has(e.object, f.text))
  );
}
