// What a card shows, decided in one place from what its source knows:
// loading, error, offline, empty or ready; stale when its newest answer is
// old; always with the time its data is as of.
import type { StreamState } from "./stream";

export type CardKind = "loading" | "error" | "offline" | "empty" | "ready";

// A source's answer for one cluster.
export interface Part {
  cluster: string;
  ok: boolean;
  offline?: boolean;
  message?: string;
  at: number;
}

export interface SourceState {
  pending: boolean; // still waiting for some answer
  failed?: string; // the source itself failed (not one cluster)
  at?: number; // when the source last answered at all, data or not
  parts: Part[];
}

export interface CardView {
  kind: CardKind;
  stale: boolean;
  asOf?: number; // the oldest data shown; with none, the newest answer (an error, "unreachable", "none")
  message?: string;
  problems: Part[]; // clusters that did not answer, shown beside the data
  live?: boolean; // changes arrive as they happen (/api/live), not only by polling
}

export function cardView(src: SourceState, count: number, now: number, staleAfterMs: number): CardView {
  const ok = src.parts.filter((p) => p.ok);
  const problems = src.parts.filter((p) => !p.ok);
  const asOf = asOfAnswers(src, ok, problems);
  // A failed refresh makes the data shown stale; an error shown is not.
  const stale = asOf !== undefined && (now - asOf > staleAfterMs || (ok.length > 0 && src.failed !== undefined));
  const base = { stale, asOf, problems };
  if (ok.length === 0) {
    if (src.failed) return { ...base, kind: "error", message: src.failed };
    if (src.pending) return { ...base, kind: "loading" };
    if (problems.length > 0 && problems.every((p) => p.offline)) {
      return { ...base, kind: "offline", message: "Every cluster is unreachable." };
    }
    if (problems.length > 0) return { ...base, kind: "error", message: problems.map((p) => `${p.cluster}: ${p.message}`).join("; ") };
    return { ...base, kind: "empty", message: "No clusters are configured." };
  }
  return { ...base, kind: count === 0 ? "empty" : "ready" };
}

// asOfAnswers is the time of the oldest data shown or, with none, of the
// newest answer, so every state but loading says when it was learned.
function asOfAnswers(src: SourceState, ok: Part[], problems: Part[]): number | undefined {
  if (ok.length) return Math.min(...ok.map((p) => p.at));
  if (problems.length) return Math.max(...problems.map((p) => p.at));
  return src.pending && !src.failed ? undefined : src.at;
}

// fromStream reads a stream's state as a card's source.
export function fromStream<T>(s: StreamState<T>): SourceState {
  const parts = Object.entries(s.clusters).map(([cluster, p]): Part => {
    switch (p.status) {
      case "data":
        return { cluster, ok: true, at: p.at };
      case "error":
        return { cluster, ok: false, message: p.error, at: p.at };
      case "offline":
        return { cluster, ok: false, offline: true, message: p.reason, at: p.at };
    }
  });
  return { pending: s.phase === "connecting" || s.phase === "open", failed: s.phase === "failed" ? s.error : undefined, at: s.endedAt, parts };
}

// answeredAt is when a query (react-query's) last answered, data or error.
export function answeredAt(q: { dataUpdatedAt: number; errorUpdatedAt: number }): number | undefined {
  return Math.max(q.dataUpdatedAt, q.errorUpdatedAt) || undefined;
}
