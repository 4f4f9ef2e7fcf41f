import { describe, expect, it } from "vitest";
import { matches, noFilter } from "./filter";

const e = { cluster: "east", namespace: "shop", type: "Warning", reason: "BackOff", object: "Pod/web-1", count: 1, lastSeen: "", message: "Back-off restarting failed container" };

describe("matches", () => {
  it.each([
    [{}, true],
    [{ cluster: "east" }, true],
    [{ cluster: "west" }, false],
    [{ namespace: "sh" }, true],
    [{ namespace: "op" }, false],
    [{ type: "Normal" }, false],
    [{ reason: "back" }, true],
    [{ text: "RESTARTING" }, true],
    [{ text: "web-1" }, true],
    [{ text: "oom" }, false],
  ])("%o -> %s", (f, want) => {
    expect(matches(e, { ...noFilter, ...f })).toBe(want);
  });
});
