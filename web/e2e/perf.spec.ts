// First contentful paint of the dashboard, as Chromium measures it, against
// the real console. The figures are logged for the report; the bound is the
// issue's (< 1 s on the demo).
import { expect, test, type Page } from "@playwright/test";
import { card, signIn } from "./helpers";

async function fcp(page: Page): Promise<number> {
  await expect.poll(() => page.evaluate(() => performance.getEntriesByName("first-contentful-paint").length)).toBe(1);
  return page.evaluate(() => performance.getEntriesByName("first-contentful-paint")[0].startTime);
}

test("first contentful paint of the dashboard, cold and warm", async ({ page }) => {
  await page.goto("/"); // a new browser context: nothing cached
  const cold = await fcp(page);
  await signIn(page);
  await page.reload();
  await expect(card(page, "Clusters")).toBeVisible();
  const warm = await fcp(page);
  console.log(`first contentful paint: ${cold.toFixed(0)} ms cold (sign-in page, nothing cached), ${warm.toFixed(0)} ms on the dashboard, signed in`);
  expect(cold).toBeLessThan(1000);
  expect(warm).toBeLessThan(1000);
});
