import { afterEach, describe, expect, it, vi } from "vitest";
import { recommendationsQuery, refreshMs } from "./recommendations";

describe("the recommendations card's queries", () => {
  afterEach(() => vi.useRealTimers());
  // A ranking by the model is asked once: minutes with the card open, and
  // the window regaining focus, ask nothing more; the rules' list
  // refreshes.
  it("asks the model once a click, the rules every minute", async () => {
    vi.useFakeTimers();
    // Query refreshes nothing on a timer where there is no window (a
    // server); this test runs in Node, so it is given one before Query loads.
    vi.stubGlobal("window", globalThis);
    const { QueryClient, QueryObserver, focusManager } = await import("@tanstack/react-query");
    focusManager.setFocused(true); // the page is in front, as timers refetch only then
    const asked: string[] = [];
    vi.stubGlobal("fetch", async (url: string, init?: RequestInit) => {
      asked.push(`${init?.method ?? "GET"} ${url}`);
      return new Response(JSON.stringify({ recommendations: [], rankedBy: "rules", usage: { mode: "medium", usedToday: 0, limit: 1 }, unchecked: [] }), {
        headers: { "Content-Type": "application/json" },
      });
    });
    const qc = new QueryClient();
    const watch = (byModel: boolean) => new QueryObserver(qc, recommendationsQuery("", "", byModel)).subscribe(() => {});
    const stop = [watch(true), watch(false)];
    await vi.advanceTimersByTimeAsync(5 * refreshMs + 100);
    focusManager.setFocused(false);
    focusManager.setFocused(true);
    await vi.advanceTimersByTimeAsync(100);
    stop.forEach((s) => s());
    vi.unstubAllGlobals();
    focusManager.setFocused(undefined);
    expect(asked.filter((a) => a.startsWith("POST /api/recommendations/rank"))).toHaveLength(1);
    expect(asked.filter((a) => a.startsWith("GET /api/recommendations?")).length).toBeGreaterThanOrEqual(6);
  });
});
