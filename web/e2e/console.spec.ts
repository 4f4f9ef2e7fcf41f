// The console in a real browser, against a real `kubemcp console` on two
// clusters: "main" (the test cluster) and "down" (its kube-apiserver
// stopped). test/console starts both and runs this file.
import { expect, test } from "@playwright/test";
import { shoot, noSeriousViolations, signIn, settledBox, saved, card, gridItem, addCard, arrivesLive, pausePageClock } from "./helpers";

test.describe.configure({ mode: "serial" });

test("sign in as the dev user, answer the onboarding, get the dashboard the console builds", async ({ page }) => {
  await page.goto("/");
  await expect(page.getByRole("heading", { name: "Sign in to kubemcp" })).toBeVisible();
  await noSeriousViolations(page);
  await shoot(page, "signin");
  await page.getByRole("button", { name: "Sign in as the local dev user" }).click();
  await expect(page.getByRole("heading", { name: "Welcome to kubemcp" })).toBeVisible();
  await page.getByRole("group", { name: "What do you do with Kubernetes, mostly?" }).getByLabel("operator").check();
  await page.getByRole("group", { name: "What do you want to see first?" }).getByLabel("health").check();
  await noSeriousViolations(page);
  await shoot(page, "onboarding");
  await page.getByRole("button", { name: "Build my dashboard" }).click();
  await expect(page.getByRole("heading", { name: "Home" })).toBeVisible();
  for (const title of ["Clusters", "Issues", "Nodes", "Events"]) await expect(card(page, title)).toBeVisible();
  await expect(card(page, "Clusters")).toHaveAttribute("data-state", "ready");
  await expect(card(page, "Clusters")).toContainText("1 of 2 clusters reachable");
  const nodes = card(page, "Nodes");
  await expect(nodes).toHaveAttribute("data-state", "ready");
  await expect(nodes).toContainText("main/");
  await expect(nodes).toContainText(/down: (unreachable|failed)/);
  await expect(nodes).toContainText(/as of \d/);
  await expect(card(page, "Issues")).toHaveAttribute("data-state", /ready|empty/);
});

test("build a dashboard: add cards, drag one, reload and find it where it was", async ({ page }) => {
  await signIn(page);
  await addCard(page, "pods", "Pods");
  const pods = card(page, "Pods");
  await expect(pods).toHaveAttribute("data-state", "ready");

  // Pods is added at the bottom left; drag it to the right.
  const before = await settledBox(gridItem(page, "pods"));
  const handle = (await pods.locator(".card-drag").boundingBox())!;
  const put = page.waitForResponse((r) => r.request().method() === "PUT" && r.url().includes("/cards/"));
  await page.mouse.move(handle.x + 30, handle.y + 10);
  await page.mouse.down();
  await page.mouse.move(handle.x + 30 + 300, handle.y + 10, { steps: 10 });
  await page.mouse.move(handle.x + 30 + 600, handle.y + 10, { steps: 10 });
  await page.mouse.up();
  expect((await put).ok()).toBe(true);
  await saved(page);
  const moved = await settledBox(gridItem(page, "pods"));
  expect(moved.x).toBeGreaterThan(before.x + 200);

  await page.reload();
  await expect(card(page, "Pods")).toBeVisible();
  const after = await settledBox(gridItem(page, "pods"));
  expect(after.x).toBeCloseTo(moved.x, 0);
  expect(after.y).toBeCloseTo(moved.y, 0);

  await addCard(page, "deployments", "Deployments");
  await addCard(page, "services", "Services");
  await expect(card(page, "Deployments")).toHaveAttribute("data-state", /ready|empty/);
  await expect(card(page, "Services")).toContainText("kubernetes");
  await expect(card(page, "Events")).toContainText("KubemcpBrowserTest");
  await noSeriousViolations(page);
  await shoot(page, "dashboard");

  // The theme is kept with the user's settings: dark after a reload too.
  await page.getByRole("button", { name: "Dark theme" }).click();
  await expect(page.locator("html")).toHaveAttribute("data-theme", "dark");
  await page.reload();
  await expect(page.locator("html")).toHaveAttribute("data-theme", "dark");
  await expect(card(page, "Pods")).toHaveAttribute("data-state", "ready");
  await noSeriousViolations(page);
  await shoot(page, "dashboard-dark");
  await page.getByRole("button", { name: "Dark theme" }).click();
  await expect(page.locator("html")).toHaveAttribute("data-theme", "light");

  // Remove a card: gone, and gone after a reload.
  await card(page, "Issues").getByRole("button", { name: "Remove Issues" }).click();
  await expect(card(page, "Issues")).toHaveCount(0);
  await page.reload();
  await expect(card(page, "Events")).toBeVisible();
  await expect(card(page, "Issues")).toHaveCount(0);
});

test("configure a card from its schema, and swap one for another type in its place", async ({ page }) => {
  await signIn(page);
  const pods = card(page, "Pods");
  await pods.getByText("⋯").click();
  await pods.getByLabel("namespace").fill("default");
  const put = page.waitForResponse((r) => r.request().method() === "PUT" && r.url().includes("/cards/"));
  await pods.getByRole("button", { name: "Save" }).click();
  expect((await put).ok()).toBe(true);
  await saved(page);
  await expect(pods).toContainText("main/default/live-web");
  await expect(pods.locator("tbody tr").filter({ hasNotText: "main/default/" })).toHaveCount(0);

  const services = gridItem(page, "services");
  const place = await settledBox(services);
  await card(page, "Services").getByText("⋯").click();
  await card(page, "Services").getByLabel("Card type").selectOption("cluster_detail");
  await card(page, "Services").getByRole("button", { name: "Save" }).click();
  await expect(card(page, "Services").getByRole("alert")).toContainText("Say cluster.");
  await card(page, "Services").getByLabel("cluster (required)").fill("main");
  const swap = page.waitForResponse((r) => r.url().endsWith("/swap"));
  await card(page, "Services").getByRole("button", { name: "Save" }).click();
  expect((await swap).ok()).toBe(true);
  const detail = card(page, "Cluster detail");
  await expect(detail).toHaveAttribute("data-state", "ready");
  await expect(detail).toContainText(/main: 1 of 1 nodes ready/);
  const swapped = await settledBox(gridItem(page, "cluster_detail"));
  expect(swapped.x).toBeCloseTo(place.x, 0);
  expect(swapped.y).toBeCloseTo(place.y, 0);
});

test("pods and pod issues: a pod going from Running to failing appears live on both cards, without a reload or a poll", async ({ page, request }) => {
  // test/console's control of the pod live-web: /start runs it, /fail crash-loops it (as a kubelet would report it).
  const set = (state: "start" | "fail") => async () => expect((await request.post(`${process.env.LIVE_POD_URL}/${state}`)).ok()).toBe(true);
  await set("start")();
  await page.clock.install(); // paused below, once the cards are live
  await signIn(page);
  await addCard(page, "issues", "Issues"); // removed by the spec before; the pod-issues card the issue names
  const pods = card(page, "Pods");
  const issues = card(page, "Issues");
  await expect(pods).toHaveAttribute("data-state", "ready");
  await expect(pods.getByRole("row", { name: /live-web/ })).toContainText("Running");
  await expect(issues).toHaveAttribute("data-state", "ready"); // the seeded pods in payments are issues already
  await expect(issues.getByRole("row", { name: /live-web/ })).toHaveCount(0);
  // The main cluster's pods are watched (/api/live), so a change asks both
  // cards again at once; the down cluster's watch fails, so polling stays.
  for (const c of [pods, issues]) {
    await expect(c).toHaveAttribute("data-live", "true");
    await expect(c).toContainText("· live");
  }
  await pausePageClock(page);
  const changed = Date.now();
  await arrivesLive(page, "issues", 20_000, set("fail"), issues.getByRole("row", { name: /live-web/ }).filter({ hasText: "CrashLoopBackOff" }));
  console.log(`live pod: the failure showed on the Issues card ${Date.now() - changed} ms after it was made (polling alone: up to 20 s)`);
  // The same change asked the Pods card again too, with the clock still paused.
  await expect(pods.getByRole("row", { name: /live-web/ })).toContainText("CrashLoopBackOff");
  await page.clock.resume();
  await card(page, "Issues").getByRole("button", { name: "Remove Issues" }).click();
  await expect(issues).toHaveCount(0);
  await saved(page); // the specs after this find the dashboard without it
});

test("live refused: the cards poll as before, do not say live, and do not ask again at once", async ({ page }) => {
  let asked = 0;
  await page.route("**/api/live?*", (r) => {
    asked++;
    return r.fulfill({ status: 501, contentType: "application/json", body: '{"error":{"code":"no_live","message":"no live updates here"}}' });
  });
  await signIn(page);
  const pods = card(page, "Pods");
  await expect(pods).toHaveAttribute("data-state", "ready");
  await expect(pods.getByRole("row", { name: /live-web/ })).toBeVisible();
  await expect.poll(() => asked).toBe(1);
  await page.waitForTimeout(2_000); // the app asks again a minute later, not at once
  expect(asked).toBe(1);
  await expect(pods).not.toHaveAttribute("data-live", /.*/);
  await expect(pods).not.toContainText("· live");
});

test("without the console's catalog, the app offers the cards it knows and says so", async ({ page }) => {
  await page.route("**/api/cards/catalog", (r) => r.fulfill({ status: 500, contentType: "application/json", body: '{"error":{"code":"internal","message":"boom"}}' }));
  await signIn(page);
  await expect(page.getByText("The console's card catalog could not be read (boom)")).toBeVisible();
  await expect(page.getByLabel("Card", { exact: true }).locator("option")).toHaveCount(16);
});

test("keyboard: a card moves with the arrow keys", async ({ page }) => {
  await signIn(page);
  const item = gridItem(page, "nodes");
  const before = await settledBox(item);
  await card(page, "Nodes").getByRole("button", { name: "Nodes", exact: true }).focus();
  await page.keyboard.press("Shift+ArrowRight");
  await saved(page);
  await expect.poll(async () => (await item.boundingBox())!.width).toBeGreaterThan(before.width + 20);
  await page.reload();
  await expect.poll(async () => (await item.boundingBox())?.width).toBeGreaterThan(before.width + 20);
});

test("phone width: the cards stack in one column, and sign-out returns to sign-in", async ({ page }) => {
  await page.setViewportSize({ width: 390, height: 844 });
  await signIn(page);
  const health = (await gridItem(page, "clusters").boundingBox())!;
  const nodes = (await gridItem(page, "nodes").boundingBox())!;
  expect(nodes.x).toBeCloseTo(health.x, 0);
  expect(nodes.width).toBeGreaterThan(300);
  await noSeriousViolations(page);
  await shoot(page, "dashboard-phone");
  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page.getByRole("button", { name: "Sign in as the local dev user" })).toBeVisible();
  await page.goto("/clusters");
  await expect(page.getByRole("button", { name: "Sign in as the local dev user" })).toBeVisible();
});

test("clusters: the one down says so at once, the other loads", async ({ page }) => {
  await signIn(page);
  await page.getByRole("link", { name: "Clusters" }).click();
  await expect(page.getByRole("heading", { name: "Clusters" })).toBeVisible();
  const down = page.locator('tr[data-cluster="down"]');
  const main = page.locator('tr[data-cluster="main"]');
  await expect(down).toContainText("Unreachable", { timeout: 5_000 });
  await expect(main).toContainText("Reachable");
  await expect(main).toContainText(/v1\.\d+/);
  await expect(page.getByText(/as of \d/)).toBeVisible();
  await noSeriousViolations(page);
  await shoot(page, "clusters");

  await main.getByRole("link", { name: "main" }).click();
  await expect(page.getByRole("heading", { name: "Cluster main" })).toBeVisible();
  await expect(page.locator(".page-head .asof")).toContainText("· live"); // main's events are watched
  const nodesPart = page.getByRole("region", { name: "Nodes" });
  await expect(nodesPart.getByRole("row")).toHaveCount(2);
  await expect(page.getByRole("region", { name: "Pods" })).toContainText("live-web");
  await expect(page.getByRole("region", { name: "Deployments" })).toBeVisible();
  await noSeriousViolations(page);
  await shoot(page, "cluster");

  await page.goto("/clusters/down");
  await expect(page.getByRole("heading", { name: "Cluster down" })).toBeVisible();
  await expect(page.getByRole("region", { name: "Nodes" }).getByRole("alert")).toContainText("Nodes could not be read", { timeout: 15_000 });
  await expect(page.getByRole("region", { name: "Pods" }).getByRole("alert")).toContainText(/Pods could not be read/);
  await expect(page.getByText("· live")).toHaveCount(0); // down's watches failed
});

test("cluster page: a new warning and a failing pod show live, well before the page would poll", async ({ page, request }) => {
  // test/console's control of main: /warn records a Warning event, /start runs the pod live-web, /fail crash-loops it.
  const post = (path: string, data?: string) => async () => expect((await request.post(`${process.env.LIVE_POD_URL}/${path}`, { data })).ok()).toBe(true);
  await post("start")(); // running from the start, whatever the specs before did
  await page.clock.install(); // paused below, once the page is live
  await signIn(page);
  await page.goto("/clusters/main");
  await expect(page.locator(".page-head .asof")).toContainText("· live");
  const row = page.getByRole("region", { name: "Pods" }).getByRole("row", { name: /live-web/ });
  const status = (s: string) => row.filter({ has: page.getByRole("cell", { name: s, exact: true }) });
  await expect(status("Running")).toBeVisible();
  await pausePageClock(page);
  // A new event of main asks the cluster's detail again (it polls every 30 s).
  const reason = `KubemcpClusterLive${Date.now()}`;
  const events = page.getByRole("region", { name: "Events" });
  await arrivesLive(page, "events", 30_000, post("warn", reason), events.getByText(reason), "/api/clusters/main");
  await arrivesLive(page, "pods", 15_000, post("fail"), status("CrashLoopBackOff"));
  await page.clock.resume(); // axe waits on timers
  await noSeriousViolations(page);
});

test("events: live from every cluster, filtered", async ({ page }) => {
  await signIn(page);
  await page.getByRole("link", { name: "Events" }).click();
  const rows = page.locator("table.events tbody tr");
  await expect(page.getByRole("cell", { name: "KubemcpBrowserTest" })).toBeVisible();
  await expect(page.getByRole("alert").filter({ hasText: /down: (unreachable|failed)/ })).toBeVisible();

  const search = page.getByRole("search", { name: "Filter events" });
  await search.getByLabel("Reason").fill("KubemcpBrowser");
  await expect(rows).toHaveCount(1);
  await expect(rows.first()).toContainText("the browser test's own warning");
  await search.getByLabel("Cluster").selectOption("main");
  await search.getByLabel("Type").selectOption("Warning");
  await search.getByLabel("Namespace").fill("default");
  await expect(rows).toHaveCount(1);
  await shoot(page, "events");
  await noSeriousViolations(page);

  await search.getByLabel("Type").selectOption("Normal");
  await expect(rows).toHaveCount(0);
  await search.getByLabel("Type").selectOption("");
  await search.getByLabel("Search").fill("no event says this");
  await expect(rows).toHaveCount(0);
  await expect(page.getByRole("status").filter({ hasText: /^0 of \d+ events$/ })).toBeVisible();
});

test("events: a new warning appears live, well before the page would poll", async ({ page, request }) => {
  await page.clock.install(); // paused below, once the page is live
  await signIn(page);
  await page.getByRole("link", { name: "Events" }).click();
  const events = page.locator("section[aria-labelledby=events-title]");
  await expect(page.getByRole("cell", { name: "KubemcpBrowserTest" })).toBeVisible();
  await expect(events).toHaveAttribute("data-live", "true");
  await expect(events.locator(".page-head .asof")).toContainText("· live");
  await expect(events.locator(".page-head .asof")).not.toContainText("updating");
  await pausePageClock(page);
  const reason = `KubemcpLive${Date.now()}`;
  // test/console records a Warning event with this reason in main/default.
  const warn = async () => expect((await request.post(`${process.env.LIVE_POD_URL}/warn`, { data: reason })).ok()).toBe(true);
  await arrivesLive(page, "events", 10_000, warn, page.getByRole("cell", { name: reason }));
  await page.clock.resume(); // axe waits on timers
  await noSeriousViolations(page);
});

test("settings: AI mode and token limit kept, today's use shown, the local agent's status", async ({ page }) => {
  await signIn(page);
  await page.getByRole("link", { name: "Settings" }).click();
  await expect(page.getByRole("heading", { name: "Settings" })).toBeVisible();
  await page.getByLabel("AI mode").selectOption("high");
  await page.getByLabel("Token limit a day").fill("50000");
  await page.getByRole("button", { name: "Save settings" }).click();
  await expect(page.getByText("Settings saved")).toBeVisible();
  await expect(page.getByText(/\d+ of \d+ tokens used today/)).toBeVisible();
  // No agent runs in this test, unless one happens to on this machine.
  await expect(page.locator("[data-agent]")).toHaveText(/^(Running: kubemcp agent|Not running)/);
  await noSeriousViolations(page);
  await shoot(page, "settings");
  await page.reload();
  await expect(page.getByLabel("AI mode")).toHaveValue("high");
  await expect(page.getByLabel("Token limit a day")).toHaveValue("50000");
});

test("missions: a refused plan is applied nowhere: the refusal shows, and its object is not in the cluster", async ({ page }) => {
  // test/console's scripted model proposes the ConfigMap browser-refused first.
  const ns = process.env.MISSION_NAMESPACE!;
  await signIn(page);
  await page.getByRole("link", { name: "Missions" }).click();
  await page.getByLabel("Goal").fill(`add a ConfigMap to refuse in ${ns}`);
  await page.getByRole("button", { name: "Start mission" }).click();
  const mission = page.locator("section.mission");
  await expect(mission).toHaveAttribute("data-status", "awaiting_approval", { timeout: 30_000 });
  await expect(mission.locator("pre.diff")).toContainText("name: browser-refused");
  await page.getByRole("button", { name: "Refuse", exact: true }).click();
  await expect(mission).toHaveAttribute("data-status", "refused");
  await expect(mission.getByRole("status")).toContainText("refused");
  await expect(mission.getByRole("button", { name: "Approve and apply" })).toHaveCount(0);
  await expect(mission).not.toContainText("Applied resources_apply");
  await expect(page.locator(".history li").first()).toContainText("refused");
  // The console's own object view finds no such ConfigMap.
  const got = await page.request.get(`/api/clusters/main/objects?${new URLSearchParams({ kind: "configmaps", namespace: ns, name: "browser-refused" })}`);
  expect(got.ok()).toBe(false);
  expect((await got.json()).error.message).toMatch(/not found/i);
});

test("missions: the plan streams in with its diff, approval applies it, the history keeps it", async ({ page }) => {
  await signIn(page);
  await page.getByRole("link", { name: "Missions" }).click();
  await page.getByLabel("Goal").fill(`add a settings ConfigMap in ${process.env.MISSION_NAMESPACE}`);
  await page.getByRole("button", { name: "Start mission" }).click();
  const mission = page.locator("section.mission");
  await expect(mission).toHaveAttribute("data-status", "awaiting_approval", { timeout: 30_000 });
  await expect(mission.locator("pre.diff")).toContainText("color: blue");
  await expect(mission).toContainText("Proposes resources_apply");
  await expect(mission).toContainText("I plan a ConfigMap browser-mission");
  await noSeriousViolations(page);
  await shoot(page, "mission");
  await page.getByRole("button", { name: "Approve and apply" }).click();
  await expect(mission).toContainText("Applied resources_apply", { timeout: 30_000 });
  await expect(mission.getByRole("status")).toContainText("done");
  await expect(page.locator(".history li").first()).toContainText("done");
});
