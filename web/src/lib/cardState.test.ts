import { describe, expect, it } from "vitest";
import { cardView, fromStream, type Part, type SourceState } from "./cardState";
import { initialStream, streamReducer, type StreamAction } from "./stream";

const ok = (cluster: string, at = 100): Part => ({ cluster, ok: true, at });
const down = (cluster: string): Part => ({ cluster, ok: false, offline: true, message: "unreachable", at: 100 });
const failing = (cluster: string): Part => ({ cluster, ok: false, message: "forbidden", at: 100 });
const src = (s: Partial<SourceState>): SourceState => ({ pending: false, parts: [], ...s });

describe("cardView", () => {
  const cases: { name: string; src: SourceState; count: number; now?: number; want: Record<string, unknown> }[] = [
    { name: "waiting for the first answer", src: src({ pending: true }), count: 0, want: { kind: "loading", asOf: undefined } },
    { name: "the source failed with nothing shown", src: src({ failed: "timed out", at: 150 }), count: 0, want: { kind: "error", message: "timed out", asOf: 150, stale: false } },
    { name: "every cluster unreachable", src: src({ parts: [down("a"), down("b")] }), count: 0, want: { kind: "offline", asOf: 100, stale: false } },
    { name: "every cluster failing", src: src({ parts: [failing("a"), down("b")] }), count: 0, want: { kind: "error", message: "a: forbidden; b: unreachable" } },
    { name: "no clusters at all", src: src({ at: 150 }), count: 0, want: { kind: "empty", message: "No clusters are configured.", asOf: 150 } },
    { name: "answers with nothing to show", src: src({ parts: [ok("a")] }), count: 0, want: { kind: "empty", asOf: 100 } },
    { name: "data, one cluster down beside it", src: src({ parts: [ok("a"), down("b")] }), count: 3, want: { kind: "ready", problems: [down("b")] } },
    { name: "data still arriving", src: src({ pending: true, parts: [ok("a")] }), count: 1, want: { kind: "ready", stale: false } },
    { name: "as of the oldest answer", src: src({ parts: [ok("a", 100), ok("b", 50)] }), count: 1, want: { asOf: 50 } },
    { name: "an unreachable cluster, learned long ago, is stale too", src: src({ parts: [down("a")] }), count: 0, now: 100 + 61_000, want: { kind: "offline", stale: true } },
    { name: "stale when old", src: src({ parts: [ok("a", 100)] }), count: 1, now: 100 + 61_000, want: { kind: "ready", stale: true } },
    { name: "stale when a refresh failed", src: src({ failed: "broke off", parts: [ok("a", 100)] }), count: 1, want: { kind: "ready", stale: true } },
  ];
  for (const c of cases) {
    it(c.name, () => {
      expect(cardView(c.src, c.count, c.now ?? 200, 60_000)).toMatchObject(c.want);
    });
  }
});

describe("fromStream", () => {
  it("reads a stream's clusters as parts, pending until done", () => {
    const actions: StreamAction<unknown>[] = [
      { type: "cluster_data", cluster: "a", items: [], at: 1 },
      { type: "cluster_skipped", cluster: "b", reason: "backing off", at: 2 },
    ];
    const open = actions.reduce(streamReducer<unknown>, initialStream<unknown>());
    expect(fromStream(open)).toEqual({
      pending: true,
      failed: undefined,
      at: undefined,
      parts: [
        { cluster: "a", ok: true, at: 1 },
        { cluster: "b", ok: false, offline: true, message: "backing off", at: 2 },
      ],
    });
    expect(fromStream(streamReducer(open, { type: "done", at: 9 }))).toMatchObject({ pending: false, at: 9 });
    expect(fromStream(streamReducer(open, { type: "failed", error: "x", at: 9 }))).toMatchObject({ pending: false, failed: "x", at: 9 });
  });
});
