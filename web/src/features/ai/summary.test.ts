import { describe, expect, it } from "vitest";
import type { AiSummary } from "../../lib/api";
import { summaryView } from "./summary";

const at = Date.parse("2030-01-01T12:00:00Z");
const base: AiSummary = {
  summary: "One pod crash-loops.",
  read: ["find_issues", "events_list"],
  unchecked: ["find_issues in cluster down: unreachable"],
  tokens: 300,
  at: "2030-01-01T12:00:00Z",
  proactive: true,
  usage: { mode: "high", usedToday: 800, limit: 100000 },
};

describe("summaryView", () => {
  it("shows the unasked summary with its age, sources and cost", () => {
    const v = summaryView(undefined, base, at + 5 * 60_000);
    expect(v.text).toBe("One pod crash-loops.");
    expect(v.byline).toBe("Made for you 5 min ago from find_issues, events_list (300 tokens; 800 of 100000 used today).");
    expect(v.unchecked).toEqual(["find_issues in cluster down: unreachable"]);
  });

  it("prefers the summary asked for", () => {
    const asked = { ...base, proactive: false, summary: "Asked.", read: ["pods_list"], unchecked: null };
    const v = summaryView(asked, base, at);
    expect(v.text).toBe("Asked.");
    expect(v.byline).toMatch(/^Summarized as asked from pods_list/);
    expect(v.unchecked).toEqual([]);
  });

  it("shows nothing for an unasked answer with only a note (low or medium mode)", () => {
    const v = summaryView(undefined, { ...base, summary: "", note: "only in high AI mode" }, at);
    expect(v).toEqual({ unchecked: [] });
  });

  it("keeps the note of an old summary that could not be made again", () => {
    const v = summaryView(undefined, { ...base, note: "no new summary: the AI token limit is reached" }, at);
    expect(v.byline).toMatch(/just now .*\. no new summary: the AI token limit is reached$/);
  });
});
