// Every card type of the console's catalog in each state a card can be in:
// loading, empty, an error answered, a request that failed, every cluster
// offline, and stale; each says so, and says when it learned it ("as of").
// The answers are Playwright's (page.route) in place of the console's data
// endpoints, so each state is made on purpose; the catalog, sign-in and
// the app itself are the real console's. The dashboard is made up too
// (one of every catalog card), so nothing here changes what the other
// specs find. A card type added to the catalog is in it at once; one that
// reads an endpoint not answered here fails until it is.
import { expect, test, type Page } from "@playwright/test";

interface Entry {
  type: string;
  title: string;
  configSchema?: { required?: string[] };
}

type Answer = "hold" | "empty" | "error" | "broken" | "offline";

const problem = "the browser test's made-up error";
const unreachable = "the browser test cut it off";
const asOf = /as of \d\d?:\d\d:\d\d(\s?[AP]M)?/;

// sources are the data endpoints the cards read, each with its answers.
const sse = (events: [string, unknown][]) => ({
  status: 200,
  contentType: "text/event-stream",
  body: events.map(([e, d]) => `event: ${e}\ndata: ${JSON.stringify(d)}\n\n`).join(""),
});
const json = (body: unknown, status = 200) => ({ status, contentType: "application/json", body: JSON.stringify(body) });
const errorBody = json({ error: { code: "internal", message: problem } }, 500);
const both = (f: (cluster: string) => [string, unknown]) => [f("main"), f("down"), ["done", {}] as [string, unknown]];
const recs = (unchecked: string[]) => ({ recommendations: [], rankedBy: "rules", usage: { tokens: 0, limit: 0 }, unchecked });

const sources: { path: RegExp; stream?: boolean; answers: Record<"empty" | "error" | "offline", ReturnType<typeof json>> }[] = [
  {
    path: /^\/api\/(stream|insights)\/[\w/]+$/,
    stream: true,
    answers: {
      empty: sse([["cluster_data", { cluster: "main", items: [] }], ["done", {}]]),
      error: sse(both((cluster) => ["cluster_error", { cluster, error: problem }])),
      offline: sse(both((cluster) => ["cluster_skipped", { cluster, reason: unreachable }])),
    },
  },
  {
    path: /^\/api\/clusters$/,
    answers: {
      empty: json({ clusters: [] }),
      error: errorBody,
      offline: json({ clusters: ["main", "down"].map((name) => ({ name, reachable: false, error: unreachable, nodes: 0, latencyMs: 0 })) }),
    },
  },
  {
    path: /^\/api\/clusters\/[^/]+$/,
    answers: {
      empty: json({ name: "main", nodes: [], workloads: {}, events: [], errors: {} }),
      error: errorBody,
      offline: json({
        name: "main",
        nodes: null,
        workloads: {},
        events: null,
        errors: Object.fromEntries(["nodes", "deployments", "statefulsets", "daemonsets", "events"].map((p) => [p, unreachable])),
      }),
    },
  },
  {
    path: /^\/api\/recommendations$/,
    answers: { empty: json(recs([])), error: errorBody, offline: json(recs([`find_issues in cluster main: ${unreachable}`])) },
  },
];

// answerAs answers every card's data request as answer() says at the time;
// held requests are never answered. Live updates are refused, so nothing
// but these answers changes a card.
async function answerAs(page: Page, answer: () => Answer) {
  await page.route("**/api/live?*", (r) => r.fulfill(json({ error: { code: "no_live", message: "not in this test" } }, 501)));
  await page.route(/\/api\/(stream|insights|clusters|recommendations)\b/, (route) => {
    const src = sources.find((s) => s.path.test(new URL(route.request().url()).pathname));
    const a = answer();
    if (!src) return route.fallback();
    if (a === "hold") return; // never answered
    if (a === "broken") return src.stream ? route.fulfill(errorBody) : route.abort("connectionrefused");
    return route.fulfill(src.answers[a]);
  });
}

// everyCard signs in to a dashboard made of one card of each catalog
// type (a required config field says "main"), and gives the catalog.
async function everyCard(page: Page): Promise<Entry[]> {
  await page.goto("/");
  const signedIn = page.waitForResponse((r) => r.url().endsWith("/api/login"));
  await page.getByRole("button", { name: "Sign in as the local dev user" }).click();
  expect((await signedIn).ok()).toBe(true);
  const catalog: Entry[] = (await (await page.request.get("/api/cards/catalog")).json()).cards;
  expect(catalog.length).toBeGreaterThanOrEqual(16);
  const cards = catalog.map((c, i) => ({
    id: i + 1,
    type: c.type,
    x: (i % 2) * 6,
    y: Math.floor(i / 2) * 4,
    w: 6,
    h: 4,
    config: Object.fromEntries((c.configSchema?.required ?? []).map((f) => [f, "main"])),
  }));
  const dashboard = { id: 1, name: "Every card", version: 1, cards, updatedAt: new Date().toISOString() };
  await page.route("**/api/dashboards", (r) => (r.request().method() === "GET" ? r.fulfill(json({ dashboards: [dashboard] })) : r.fallback()));
  await page.reload();
  await expect(page.getByRole("heading", { name: "Every card" })).toBeVisible();
  return catalog;
}

const cardOf = (page: Page, c: Entry) => page.locator(`[data-card-type="${c.type}"]`).getByRole("region", { name: c.title, exact: true });

// eachCard checks every card, each in its own step named by its type.
async function eachCard(page: Page, catalog: Entry[], check: (card: ReturnType<typeof cardOf>, c: Entry) => Promise<void>) {
  for (const c of catalog) await test.step(c.type, () => check(cardOf(page, c), c));
}

test("every card, loading: says it is loading, and that it has no data yet", async ({ page }) => {
  await answerAs(page, () => "hold");
  const catalog = await everyCard(page);
  await eachCard(page, catalog, async (card) => {
    await expect(card).toHaveAttribute("data-state", "loading");
    await expect(card.getByRole("status")).toHaveText("Loading…");
    await expect(card.locator(".card-foot")).toHaveText("no data yet");
  });
});

test("every card, empty: says what nothing means for it, as of the answer", async ({ page }) => {
  await answerAs(page, () => "empty");
  const catalog = await everyCard(page);
  await eachCard(page, catalog, async (card) => {
    await expect(card).toHaveAttribute("data-state", "empty");
    await expect(card.locator(".card-body")).toHaveText(/^(No|Nothing)\b.+/);
    await expect(card.locator(".card-foot")).toHaveText(asOf);
  });
});

test("every card, an error answered: shows the error, as of the answer, and offers to try again", async ({ page }) => {
  await answerAs(page, () => "error");
  const catalog = await everyCard(page);
  await eachCard(page, catalog, async (card) => {
    await expect(card).toHaveAttribute("data-state", "error");
    await expect(card.getByRole("alert")).toContainText(problem);
    await expect(card.getByRole("button", { name: "Try again" })).toBeVisible();
    await expect(card.locator(".card-foot")).toContainText(asOf);
  });
});

test("every card, a request that fails: says it failed, as of the failure, and offers to try again", async ({ page }) => {
  await answerAs(page, () => "broken");
  const catalog = await everyCard(page);
  await eachCard(page, catalog, async (card) => {
    await expect(card).toHaveAttribute("data-state", "error", { timeout: 30_000 }); // one retry for a network failure
    await expect(card.getByRole("alert")).toContainText(/stream broke off|cannot be reached/);
    await expect(card.getByRole("button", { name: "Try again" })).toBeVisible();
    await expect(card.locator(".card-foot")).toContainText(asOf);
  });
});

test("every card, every cluster offline: says so at once, as of the answer, no spinner", async ({ page }) => {
  await answerAs(page, () => "offline");
  const catalog = await everyCard(page);
  await eachCard(page, catalog, async (card) => {
    await expect(card).toHaveAttribute("data-state", "offline");
    await expect(card.getByRole("alert")).toContainText("Every cluster is unreachable.");
    await expect(card.locator(".card-foot")).toContainText(asOf);
  });
});

test("every card, stale: an answer older than its refreshes is marked stale, still as of its time", async ({ page }) => {
  let answer: Answer = "empty";
  await answerAs(page, () => answer);
  await page.clock.install();
  const catalog = await everyCard(page);
  const times = new Map<string, string>();
  await eachCard(page, catalog, async (card, c) => {
    await expect(card.locator(".card-foot")).toHaveText(asOf);
    await expect(card).not.toHaveAttribute("data-stale", /.*/);
    times.set(c.type, (await card.locator(".card-foot").textContent())!.match(asOf)![0]);
  });
  // No answer from here on; five minutes outlast three refreshes of the slowest card.
  answer = "hold";
  await page.clock.fastForward(5 * 60_000);
  await eachCard(page, catalog, async (card, c) => {
    await expect(card).toHaveAttribute("data-stale", "true");
    await expect(card.locator(".card-foot")).toHaveText(`${times.get(c.type)} · stale`);
  });
});
