// What the specs share: sign-in, screenshots, the accessibility check and
// the dashboard's cards.
import { expect, type Locator, type Page } from "@playwright/test";
import AxeBuilder from "@axe-core/playwright";

export async function shoot(page: Page, name: string) {
  if (process.env.SCREENSHOTS) await page.screenshot({ path: `${process.env.SCREENSHOTS}/${name}.png` });
}

// noSeriousViolations: axe finds nothing serious or critical on the page.
export async function noSeriousViolations(page: Page) {
  const r = await new AxeBuilder({ page }).analyze();
  const bad = r.violations.filter((v) => v.impact === "serious" || v.impact === "critical");
  expect(bad.map((v) => `${v.id}: ${v.help} at ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`)).toEqual([]);
}

export async function signIn(page: Page) {
  await page.goto("/");
  await page.getByRole("button", { name: "Sign in as the local dev user" }).click();
  await expect(page.getByRole("heading", { name: "Home" })).toBeVisible();
}

// settledBox is el's box once it stops moving (the grid animates moves).
export async function settledBox(el: Locator) {
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

export async function saved(page: Page) {
  await expect(page.getByRole("status").filter({ hasText: "All changes saved" })).toBeVisible();
  await expect(page.getByText("Your last change was not saved")).toHaveCount(0);
}

export const card = (page: Page, title: string) => page.getByRole("region", { name: title, exact: true });
export const gridItem = (page: Page, type: string) => page.locator(`[data-card-type="${type}"]`);

export async function addCard(page: Page, type: string, title: string) {
  await page.getByLabel("Card", { exact: true }).selectOption(type);
  const added = page.waitForResponse((r) => r.request().method() === "POST" && r.url().includes("/cards"));
  await page.getByRole("button", { name: "Add card" }).click();
  expect((await added).status()).toBe(201);
  await expect(card(page, title)).toBeVisible();
}

// pausePageClock stops the page's timers (installed with page.clock.install
// before it loaded), so from here on nothing polls unless the test moves
// the page's time on.
export async function pausePageClock(page: Page) {
  await page.clock.pauseAt((await page.evaluate(() => Date.now())) + 1_000);
}

// arrivesLive: after change, shown appears by a live update (/api/live),
// not by polling. The page's clock is paused and moved on in small steps,
// enough for the live update's short throttle and far less than pollMs,
// the page's poll interval; and the page asks path (its stream of kind
// unless said) once, because of the change.
export async function arrivesLive(page: Page, kind: string, pollMs: number, change: () => Promise<void>, shown: Locator, path = `/api/stream/${kind}`) {
  const asked: string[] = [];
  page.on("request", (r) => void (r.url().includes(path) && asked.push(r.url())));
  await change();
  let moved = 0;
  await expect
    .poll(async () => {
      if ((await shown.count()) > 0) return true;
      await page.clock.runFor(100);
      moved += 100;
      return false;
    }, { timeout: 30_000, intervals: [100] })
    .toBe(true);
  console.log(`live ${kind}: shown after ${moved} ms of the page's time (it polls every ${pollMs} ms)`);
  expect(moved).toBeLessThan(pollMs / 2);
  expect(asked).toHaveLength(1);
}
