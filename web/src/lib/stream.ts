// The state of one server-sent stream of /api/stream/{kind}: each cluster's
// answer as it arrives (cluster_data, cluster_error, cluster_skipped), then
// done. A pure reducer, so what a card shows is tested without a browser.

export type ClusterPart<T> =
  | { status: "data"; items: T[]; at: number }
  | { status: "error"; error: string; at: number }
  | { status: "offline"; reason: string; at: number };

export interface StreamState<T> {
  phase: "connecting" | "open" | "done" | "failed";
  clusters: Record<string, ClusterPart<T>>;
  error?: string; // when failed
  endedAt?: number; // when the last stream ended, done or failed
}

export type StreamAction<T> =
  | { type: "start" }
  | { type: "rescoped" }
  | { type: "cluster_data"; cluster: string; items: T[] | null; at: number }
  | { type: "cluster_error"; cluster: string; error: string; at: number }
  | { type: "cluster_skipped"; cluster: string; reason: string; at: number }
  | { type: "done"; at: number }
  | { type: "failed"; error: string; at: number };

export function initialStream<T>(): StreamState<T> {
  return { phase: "connecting", clusters: {} };
}

// streamReducer keeps each cluster's last answer across a refresh, so a card
// shows what it knew (marked stale) rather than going blank; but not across
// a change of what is asked (rescoped): another cluster's answer is not
// what the new scope shows.
export function streamReducer<T>(s: StreamState<T>, a: StreamAction<T>): StreamState<T> {
  switch (a.type) {
    case "start":
      return { ...s, phase: "connecting", error: undefined };
    case "rescoped":
      return initialStream<T>();
    case "cluster_data":
      return part(s, a.cluster, { status: "data", items: a.items ?? [], at: a.at });
    case "cluster_error":
      return part(s, a.cluster, { status: "error", error: a.error, at: a.at });
    case "cluster_skipped":
      return part(s, a.cluster, { status: "offline", reason: a.reason, at: a.at });
    case "done":
      return { ...s, phase: "done", endedAt: a.at };
    case "failed":
      return s.phase === "done" ? s : { ...s, phase: "failed", error: a.error, endedAt: a.at };
  }
}

function part<T>(s: StreamState<T>, cluster: string, p: ClusterPart<T>): StreamState<T> {
  return { ...s, phase: "open", clusters: { ...s.clusters, [cluster]: p } };
}

// items are every cluster's items, each tagged with its cluster.
export function items<T>(s: StreamState<T>): (T & { cluster: string })[] {
  return Object.entries(s.clusters).flatMap(([cluster, p]) =>
    p.status === "data" ? p.items.map((it) => ({ ...it, cluster })) : [],
  );
}
