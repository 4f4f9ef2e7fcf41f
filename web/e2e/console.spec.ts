// The console in a real browser, against a real `kubemcp console` on two
// clusters: "main" (the test cluster) and "down" (its kube-apiserver
// stopped). test/console starts both and runs this file.
import { expect, test, type Locator, type Page } from "@playwright/test";
import AxeBuilder from "@axe-core/playwright";

test.describe.configure({ mode: "serial" });

async function shoot(page: Page, name: string) {
  if (process.env.SCREENSHOTS) await page.screenshot({ path: `${process.env.SCREENSHOTS}/${name}.png` });
}

// noSeriousViolations: axe finds nothing serious or critical on the page.
async function noSeriousViolations(page: Page) {
  const r = await new AxeBuilder({ page }).analyze();
  const bad = r.violations.filter((v) => v.impact === "serious" || v.impact === "critical");
  expect(bad.map((v) => `${v.id}: ${v.help} at ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`)).toEqual([]);
}

async function signIn(page: Page) {
  await page.goto("/");
  await page.getByRole("button", { name: "Sign in as the local dev user" }).click();
  await expect(page.getByRole("heading", { name: "My dashboard" })).toBeVisible();
}

// settledBox is el's box once it stops moving (the grid animates moves).
async function settledBox(el: Locator) {
  let last = await el.boundingBox();
  await expect
    .poll(async () => {
      const now = await el.boundingBox();
      const same = JSON.stringify(now) === JSON.stringify(last);
      last = now;
      return same;
    })
    .toBe(true);
  return last!;
}

async function saved(page: Page) {
  await expect(page.getByRole("status").filter({ hasText: "All changes saved" })).toBeVisible();
  await expect(page.getByText("Your last change was not saved")).toHaveCount(0);
}

const card = (page: Page, title: string) => page.getByRole("region", { name: title, exact: true });
const gridItem = (page: Page, type: string) => page.locator(`[data-card-type="${type}"]`);

async function addCard(page: Page, type: string, title: string) {
  await page.getByLabel("Card", { exact: true }).selectOption(type);
  const added = page.waitForResponse((r) => r.request().method() === "POST" && r.url().includes("/cards"));
  await page.getByRole("button", { name: "Add card" }).click();
  expect((await added).status()).toBe(201);
  await expect(card(page, title)).toBeVisible();
}

test("sign in as the dev user", async ({ page }) => {
  await page.goto("/");
  await expect(page.getByRole("heading", { name: "Sign in to kubemcp" })).toBeVisible();
  await noSeriousViolations(page);
  await shoot(page, "signin");
  await page.getByRole("button", { name: "Sign in as the local dev user" }).click();
  await expect(page.getByRole("heading", { name: "My dashboard" })).toBeVisible();
  await expect(page.getByText("This dashboard has no cards yet")).toBeVisible();
});

test("build a dashboard: add cards, drag one, reload and find it where it was", async ({ page }) => {
  await signIn(page);
  await addCard(page, "cluster-health", "Cluster health");
  await addCard(page, "nodes", "Nodes");
  await expect(card(page, "Cluster health")).toHaveAttribute("data-state", "ready");
  await expect(card(page, "Cluster health")).toContainText("1 of 2 clusters reachable");
  const nodes = card(page, "Nodes");
  await expect(nodes).toHaveAttribute("data-state", "ready");
  await expect(nodes).toContainText("main/");
  await expect(nodes).toContainText(/down: (unreachable|failed)/);
  await expect(nodes).toContainText(/as of \d/);

  // Nodes starts below Cluster health; drag it up beside it.
  const before = await settledBox(gridItem(page, "nodes"));
  const handle = (await nodes.locator(".card-drag").boundingBox())!;
  const put = page.waitForResponse((r) => r.request().method() === "PUT" && r.url().includes("/cards/"));
  await page.mouse.move(handle.x + 30, handle.y + 10);
  await page.mouse.down();
  await page.mouse.move(handle.x + 30 + 300, handle.y + 10 - 150, { steps: 10 });
  await page.mouse.move(handle.x + 30 + 600, handle.y + 10 - 300, { steps: 10 });
  await page.mouse.up();
  expect((await put).ok()).toBe(true);
  await saved(page);
  const moved = await settledBox(gridItem(page, "nodes"));
  expect(moved.x).toBeGreaterThan(before.x + 200);
  expect(moved.y).toBeLessThan(before.y);

  await page.reload();
  await expect(card(page, "Nodes")).toBeVisible();
  const after = await settledBox(gridItem(page, "nodes"));
  expect(after.x).toBeCloseTo(moved.x, 0);
  expect(after.y).toBeCloseTo(moved.y, 0);

  await addCard(page, "warning-events", "Warning events");
  await addCard(page, "pod-issues", "Pod issues");
  const warnings = card(page, "Warning events");
  await expect(warnings).toContainText("KubemcpBrowserTest");
  await expect(card(page, "Pod issues")).toHaveAttribute("data-state", /ready|empty/);
  await noSeriousViolations(page);
  await shoot(page, "dashboard");

  await page.getByRole("button", { name: "Dark theme" }).click();
  await expect(page.locator("html")).toHaveAttribute("data-theme", "dark");
  await noSeriousViolations(page);
  await shoot(page, "dashboard-dark");
  await page.getByRole("button", { name: "Dark theme" }).click();

  // Remove a card: gone, and gone after a reload.
  await card(page, "Pod issues").getByRole("button", { name: "Remove Pod issues" }).click();
  await expect(card(page, "Pod issues")).toHaveCount(0);
  await page.reload();
  await expect(card(page, "Warning events")).toBeVisible();
  await expect(card(page, "Pod issues")).toHaveCount(0);
});

test("pod issues: a pod that starts failing appears live, without a reload", async ({ page, request }) => {
  await signIn(page);
  await addCard(page, "pod-issues", "Pod issues");
  const issues = card(page, "Pod issues");
  await expect(issues).toHaveAttribute("data-state", "ready");
  await expect(issues).not.toContainText("live-web");
  // test/console makes the pod live-web crash-loop (as a kubelet would report it).
  expect((await request.post(`${process.env.LIVE_POD_URL}/fail`)).ok()).toBe(true);
  await expect(issues.getByRole("row", { name: /live-web/ })).toContainText("CrashLoopBackOff", { timeout: 40_000 });
});

test("keyboard: a card moves with the arrow keys", async ({ page }) => {
  await signIn(page);
  const item = gridItem(page, "cluster-health");
  const before = await settledBox(item);
  await card(page, "Cluster health").getByRole("button", { name: "Cluster health", exact: true }).focus();
  await page.keyboard.press("Shift+ArrowRight");
  await saved(page);
  await expect.poll(async () => (await item.boundingBox())!.width).toBeGreaterThan(before.width + 20);
  await page.reload();
  await expect.poll(async () => (await item.boundingBox())?.width).toBeGreaterThan(before.width + 20);
});

test("phone width: the cards stack in one column, and sign-out returns to sign-in", async ({ page }) => {
  await page.setViewportSize({ width: 390, height: 844 });
  await signIn(page);
  const health = (await gridItem(page, "cluster-health").boundingBox())!;
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
