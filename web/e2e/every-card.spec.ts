// Every card type of the catalog the other specs do not draw, each against
// the seeded main cluster (internal/testenv's seed: payments with a
// crash-looping and an image-pulling pod, shop's frontend and cart with
// requests, their events), and a card scoped to the cluster that is down.
// Each card is removed again, so the specs after this one find the
// dashboard as they expect.
import { expect, test, type Page } from "@playwright/test";
import { addCard, card, noSeriousViolations, saved, signIn } from "./helpers";

test.describe.configure({ mode: "serial" });

const cards: { type: string; title: string; config?: Record<string, string>; shows: (string | RegExp)[] }[] = [
  // payments' two broken pods are issues, and its warnings are recent.
  { type: "namespace_overview", title: "Namespace overview", config: { namespace: "payments" }, shows: [/main\/payments: [1-9]\d* issues, [1-9]\d* recent warnings/, "Deployment"] },
  // shop's Deployments ask for CPU and memory, so they cost something.
  { type: "resource_cost", title: "Resource use and cost", shows: [/main: \$\d+\.\d\d a month/, /shop\/\S*frontend/, /shop\/\S*cart/] },
  // The frontend pod's image was pulled (testenv.FrontendPods()[0]).
  { type: "changes", title: "Recent changes", shows: ["Pulled", "frontend-5d8f7c9b6-4xkzp"] },
];

for (const c of cards) {
  test(`card ${c.type}: ready with the seeded cluster's facts, as of a time, accessible`, async ({ page }) => {
    await signIn(page);
    await addCard(page, c.type, c.title);
    if (c.config) await configure(page, c.title, c.config);
    const el = card(page, c.title);
    await expect(el).toHaveAttribute("data-state", "ready", { timeout: 30_000 });
    for (const fact of c.shows) await expect(el).toContainText(fact);
    await expect(el.locator(".card-foot")).toContainText(/as of \d/);
    await expect(el.locator(".card-foot")).toContainText(/down: (unreachable|failed)/); // beside the data, not instead
    await el.scrollIntoViewIfNeeded();
    await noSeriousViolations(page);
    await remove(page, c.title);
  });
}

test("a card scoped to the cluster that is down says so, and is not live", async ({ page }) => {
  await signIn(page);
  await addCard(page, "changes", "Recent changes");
  const el = card(page, "Recent changes");
  await expect(el).toHaveAttribute("data-state", "ready");
  await expect(el).toContainText("· live"); // events are watched in main
  await configure(page, "Recent changes", { cluster: "down" });
  await expect(el).toHaveAttribute("data-state", /offline|error/, { timeout: 30_000 });
  await expect(el.getByRole("alert")).toContainText(/unreachable|down/);
  await expect(el.locator(".card-foot")).toContainText(/down: (unreachable|failed)/);
  await expect(el).not.toContainText("· live");
  await noSeriousViolations(page);
  await remove(page, "Recent changes");
});

async function configure(page: Page, title: string, values: Record<string, string>) {
  const el = card(page, title);
  await el.getByText("⋯").click();
  for (const [k, v] of Object.entries(values)) await el.getByLabel(k, { exact: true }).fill(v);
  const put = page.waitForResponse((r) => r.request().method() === "PUT" && r.url().includes("/cards/"));
  await el.getByRole("button", { name: "Save" }).click();
  expect((await put).ok()).toBe(true);
  await saved(page);
}

async function remove(page: Page, title: string) {
  await card(page, title).getByRole("button", { name: `Remove ${title}` }).click();
  await expect(card(page, title)).toHaveCount(0);
  await saved(page);
}
