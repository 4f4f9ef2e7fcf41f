import { describe as suite, expect, it } from "vitest";
import type { MissionEvent } from "../../lib/api";
import { active, describe, lastSeq, merge } from "./missionState";

const ev = (seq: number, kind = "message", payload: Record<string, unknown> = { text: `t${seq}` }): MissionEvent => ({ seq, kind, payload, createdAt: "" });

suite("merge", () => {
  it("keeps each event once, in order, the newest copy winning", () => {
    const got = merge([ev(1), ev(2)], [ev(2, "message", { text: "again" }), ev(4), ev(3)]);
    expect(got.map((e) => e.seq)).toEqual([1, 2, 3, 4]);
    expect(got[1].payload.text).toBe("again");
    expect(lastSeq(got)).toBe(4);
    expect(lastSeq([])).toBe(0);
  });
});

suite("describe", () => {
  it("says each kind in words", () => {
    expect(describe(ev(1, "tool_call", { tool: "pods_list", arguments: { namespace: "a" } }))).toBe('Read with pods_list {"namespace":"a"}');
    expect(describe(ev(1, "plan", { tool: "resources_apply" }))).toBe("Proposes resources_apply (dry run below)");
    expect(describe(ev(1, "error", { message: "limit" }))).toBe("Error: limit");
    expect(describe(ev(1, "tokens", { turn: 10, usedToday: 30, limit: 100 }))).toBe("10 tokens this turn; 30 of 100 used today");
  });
});

suite("active", () => {
  it("is true while planning or applying only", () => {
    expect(["planning", "applying", "awaiting_approval", "done"].map(active)).toEqual([true, true, false, false]);
  });
});
