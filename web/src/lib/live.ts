// The state of the one live connection to /api/live: which clusters each
// kind is watched in, which could not be, and whether the console refused
// live updates altogether (a console started with --mcp-url answers 501).
// Pure, so what cards do with it is tested without a browser.

export type LiveKind = "pods" | "events";
export const liveKinds: LiveKind[] = ["pods", "events"];

export interface LiveState {
  phase: "connecting" | "open" | "closed"; // closed: refused, broke off or nothing could be watched
  watching: Record<string, string[]>; // kind: clusters
  failed: Record<string, string[]>; // kind: clusters whose watch failed
}

// A change as /api/live sums it up; only what the cards match on.
export interface LiveChange {
  cluster: string;
  kind: string;
  namespace?: string;
}

export type LiveAction =
  | { type: "watching" | "watch_error"; cluster: string; kind: string }
  | { type: "ready"; watching: number }
  | { type: "closed" };

export const initialLive = (): LiveState => ({ phase: "connecting", watching: {}, failed: {} });

export function liveReducer(s: LiveState, a: LiveAction): LiveState {
  switch (a.type) {
    case "watching":
      return { ...s, watching: add(s.watching, a.kind, a.cluster) };
    case "watch_error":
      return { ...s, failed: add(s.failed, a.kind, a.cluster) };
    case "ready":
      return { ...s, phase: a.watching > 0 ? "open" : "closed" };
    case "closed":
      return { ...initialLive(), phase: "closed" };
  }
}

function add(m: Record<string, string[]>, kind: string, cluster: string) {
  return { ...m, [kind]: [...(m[kind] ?? []), cluster] };
}

// coverage says how live kind is for what is scoped to cluster (all when
// not one plain name): "full" when every cluster is watched (polling can
// relax), "partial" when some are and some failed (changes come live from
// those, polling stays for the rest), "none" otherwise.
export function coverage(s: LiveState, kind: LiveKind, cluster?: string): "full" | "partial" | "none" {
  if (s.phase !== "open" || !s.watching[kind]?.length) return "none";
  if (plain(cluster)) return s.watching[kind].includes(cluster!) ? "full" : "none";
  return s.failed[kind]?.length ? "partial" : "full";
}

// plain: a cluster given as one name, not names or patterns.
const plain = (cluster?: string) => !!cluster && !/[,*?[\s]/.test(cluster);

// matches says whether a change may alter what a card scoped to cluster
// and namespace shows. A cluster given as names or patterns is not
// matched here: any cluster's change may be one of them.
export function matches(ch: LiveChange, kind: LiveKind, scope: { cluster?: string; namespace?: string }): boolean {
  if (ch.kind !== kind) return false;
  if (scope.namespace && ch.namespace && ch.namespace !== scope.namespace) return false;
  return !plain(scope.cluster) || ch.cluster === scope.cluster;
}
