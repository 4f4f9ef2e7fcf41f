import { describe, expect, it } from "vitest";
import { initialStream, items, streamReducer, type StreamAction, type StreamState } from "./stream";

type Row = { name: string };
const run = (actions: StreamAction<Row>[], from: StreamState<Row> = initialStream<Row>()) => actions.reduce(streamReducer<Row>, from);

describe("streamReducer", () => {
  it("collects each cluster's answer as it arrives, then done", () => {
    const s = run([
      { type: "start" },
      { type: "cluster_data", cluster: "a", items: [{ name: "p1" }], at: 2 },
      { type: "cluster_skipped", cluster: "b", reason: "down", at: 3 },
      { type: "cluster_error", cluster: "c", error: "forbidden", at: 4 },
      { type: "done", at: 9 },
    ]);
    expect(s.phase).toBe("done");
    expect(s.clusters.b).toEqual({ status: "offline", reason: "down", at: 3 });
    expect(s.clusters.c).toEqual({ status: "error", error: "forbidden", at: 4 });
    expect(items(s)).toEqual([{ name: "p1", cluster: "a" }]);
  });

  it("reads null items (a cluster with none) as empty", () => {
    const s = run([{ type: "cluster_data", cluster: "a", items: null, at: 1 }]);
    expect(s.clusters.a).toEqual({ status: "data", items: [], at: 1 });
    expect(s.phase).toBe("open");
  });

  it("keeps the last answers across a refresh until new ones replace them", () => {
    const first = run([{ type: "cluster_data", cluster: "a", items: [{ name: "old" }], at: 1 }, { type: "done", at: 9 }]);
    const refreshing = run([{ type: "start" }], first);
    expect(refreshing.phase).toBe("connecting");
    expect(items(refreshing)).toEqual([{ name: "old", cluster: "a" }]);
    const next = run([{ type: "cluster_skipped", cluster: "a", reason: "down", at: 11 }], refreshing);
    expect(items(next)).toEqual([]);
  });

  it("forgets every answer when what is asked changes", () => {
    const first = run([{ type: "cluster_data", cluster: "main", items: [{ name: "old" }], at: 1 }, { type: "done", at: 9 }]);
    const s = run([{ type: "rescoped" }, { type: "start" }, { type: "cluster_skipped", cluster: "down", reason: "unreachable", at: 2 }], first);
    expect(Object.keys(s.clusters)).toEqual(["down"]);
    expect(items(s)).toEqual([]);
  });

  it("ignores a failure after done: the stream closing is not an error", () => {
    const s = run([{ type: "done", at: 9 }, { type: "failed", error: "closed", at: 9 }]);
    expect(s.phase).toBe("done");
    expect(s.error).toBeUndefined();
  });

  it("records a failure before done, and clears it on the next start", () => {
    const failed = run([{ type: "failed", error: "broke off", at: 9 }]);
    expect(failed).toMatchObject({ phase: "failed", error: "broke off", endedAt: 9 });
    expect(run([{ type: "start" }], failed)).toMatchObject({ phase: "connecting", error: undefined });
  });
});
