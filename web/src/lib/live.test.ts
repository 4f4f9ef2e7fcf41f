import { describe, expect, it } from "vitest";
import { coverage, initialLive, liveReducer, matches, type LiveAction } from "./live";

const run = (...as: LiveAction[]) => as.reduce(liveReducer, initialLive());

describe("live coverage", () => {
  it("is full when every cluster's watch of the kind started", () => {
    const s = run({ type: "watching", cluster: "a", kind: "pods" }, { type: "watching", cluster: "b", kind: "pods" }, { type: "ready", watching: 2 });
    expect(coverage(s, "pods")).toBe("full");
    expect(coverage(s, "events")).toBe("none");
  });
  it("is partial when a cluster's watch failed, so polling stays", () => {
    const s = run({ type: "watching", cluster: "a", kind: "pods" }, { type: "watch_error", cluster: "down", kind: "pods" }, { type: "ready", watching: 1 });
    expect(coverage(s, "pods")).toBe("partial");
  });
  it("is full or none for one cluster, by whether its own watch runs", () => {
    const s = run({ type: "watching", cluster: "a", kind: "pods" }, { type: "watch_error", cluster: "down", kind: "pods" }, { type: "ready", watching: 1 });
    expect(coverage(s, "pods", "a")).toBe("full");
    expect(coverage(s, "pods", "down")).toBe("none");
    expect(coverage(s, "pods", "a,down")).toBe("partial"); // names: as for every cluster
  });
  it("is none before ready, when nothing could be watched, and once closed", () => {
    expect(coverage(run({ type: "watching", cluster: "a", kind: "pods" }), "pods")).toBe("none");
    expect(coverage(run({ type: "watch_error", cluster: "a", kind: "pods" }, { type: "ready", watching: 0 }), "pods")).toBe("none");
    const s = run({ type: "watching", cluster: "a", kind: "pods" }, { type: "ready", watching: 1 }, { type: "closed" });
    expect(coverage(s, "pods")).toBe("none");
  });
});

describe("a change matches a card", () => {
  const ch = { cluster: "main", kind: "pods", namespace: "default" };
  it.each([
    [{}, true],
    [{ namespace: "default" }, true],
    [{ namespace: "other" }, false],
    [{ cluster: "main" }, true],
    [{ cluster: "down" }, false],
    [{ cluster: "prod-*" }, true], // a pattern: any cluster may be one of them
    [{ cluster: "a,b" }, true],
  ])("scoped %j: %s", (scope, want) => {
    expect(matches(ch, "pods", scope)).toBe(want);
  });
  it("of another kind does not", () => expect(matches(ch, "events", {})).toBe(false));
});
