// Workloads in a real browser: the pods of every cluster, a pod's log
// (search, follow) and YAML, and YAML opened from a cluster's detail.
// test/console seeds the cluster and serves LIVE_POD_URL, which writes a
// new line to the live pod's log.
import { expect, test } from "@playwright/test";
import { addCard, arrivesLive, card, noSeriousViolations, pausePageClock, shoot, signIn } from "./helpers";

test.describe.configure({ mode: "serial" });

const crashing = "api-6c4b8d7f5-q7x2m"; // testenv.PodCrashLoop, in payments

test("workloads: the pods of every cluster, filtered; a pod's log searched; its YAML copied", async ({ page, context }) => {
  await context.grantPermissions(["clipboard-read", "clipboard-write"]);
  await signIn(page);
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Workloads" }).click();
  const table = page.getByRole("table", { name: "Pods of every cluster" });
  await expect(table).toContainText(crashing);
  await expect(page.getByRole("alert").filter({ hasText: /down: (unreachable|failed)/ })).toBeVisible();
  await page.getByLabel("Namespace").selectOption("payments");
  await page.getByRole("searchbox", { name: "Search" }).fill("api-");
  await expect(table.getByRole("row")).toHaveCount(2); // the header and the one pod
  await expect(table).toContainText("CrashLoopBackOff");
  await noSeriousViolations(page);
  await shoot(page, "workloads");

  await page.getByRole("link", { name: `Log of ${crashing}` }).click();
  const log = page.getByRole("log", { name: `Log of ${crashing}` });
  await expect(log).toContainText("panic: runtime error: invalid memory address or nil pointer dereference");
  await page.getByRole("searchbox", { name: "Search" }).fill("database");
  await page.getByRole("button", { name: "Search", exact: true }).click();
  await expect(log.locator(".log-line")).toHaveCount(2);
  await expect(log.locator("mark").first()).toHaveText("database");
  await expect(page.getByText("2 lines containing “database”")).toBeVisible();
  await noSeriousViolations(page);
  await shoot(page, "pod-log");

  await page.getByRole("button", { name: "YAML", exact: true }).click();
  const yaml = page.getByLabel(`YAML of Pod ${crashing}`);
  await expect(yaml).toContainText("restartCount: 7");
  await page.getByRole("button", { name: "Copy YAML" }).click();
  await expect(page.getByText("Copied.")).toBeVisible();
  expect(await page.evaluate(() => navigator.clipboard.readText())).toContain(`name: ${crashing}`);
  await noSeriousViolations(page);
  await shoot(page, "pod-yaml");
});

test("workloads: a pod going from Running to failing shows live, well before the page would poll", async ({ page, request }) => {
  // test/console's control of the pod live-web: /start runs it, /fail crash-loops it.
  const set = (state: "start" | "fail") => async () => expect((await request.post(`${process.env.LIVE_POD_URL}/${state}`)).ok()).toBe(true);
  await set("fail")(); // failing from the start, whatever the specs before did
  await page.clock.install(); // paused below, once the page is live
  await signIn(page);
  await page.goto("/workloads");
  const workloads = page.locator("section[aria-labelledby=workloads-title]");
  const row = page.getByRole("table", { name: "Pods of every cluster" }).getByRole("row", { name: /main\/default\/live-web/ });
  const status = (s: string) => row.filter({ has: page.getByRole("cell", { name: s, exact: true }) });
  await expect(status("CrashLoopBackOff")).toBeVisible();
  await expect(workloads).toHaveAttribute("data-live", "true");
  await expect(workloads.locator(".page-head .asof")).toContainText("· live");
  await pausePageClock(page);
  await arrivesLive(page, "pods", 15_000, set("start"), status("Running"));
  await arrivesLive(page, "pods", 15_000, set("fail"), status("CrashLoopBackOff"));
});

test("follow a log: a line written after it opened appears without a reload", async ({ page, request }) => {
  await signIn(page);
  await page.goto("/workloads/main/default/live-web");
  const log = page.getByRole("log", { name: "Log of live-web" });
  await expect(log).toContainText("live-web started");
  await page.getByLabel("Follow").check();
  await expect(page.getByText("· following")).toBeVisible();
  const line = `a line written at ${Date.now()}`;
  expect((await request.post(`${process.env.LIVE_POD_URL}/log`, { data: line })).ok()).toBe(true);
  await expect(log).toContainText(line);
  await page.getByLabel("Follow").uncheck();
  await expect(page.getByText("· following")).toHaveCount(0);
});

test("cluster detail: a workload's YAML opens from its row", async ({ page }) => {
  await signIn(page);
  await page.goto("/clusters/main");
  await page.getByRole("link", { name: "YAML of deployments frontend" }).click();
  await expect(page.getByRole("heading", { name: /deployments main\/shop\/frontend/ })).toBeVisible();
  await expect(page.getByLabel("YAML of Deployment frontend")).toContainText("kind: Deployment");
});

test("insight cards: node use as a chart, top pods and your access, from metrics.k8s.io and the apiserver", async ({ page }) => {
  await signIn(page);
  await addCard(page, "node_usage", "Node capacity and use");
  const nodes = card(page, "Node capacity and use");
  await expect(nodes).toHaveAttribute("data-state", "ready");
  // The chart (Chart.js, loaded with this card only) and its table.
  const chart = nodes.getByRole("img", { name: /^CPU and memory in use, in percent of allocatable: main\/\S+ CPU \d+%, memory \d+%/ });
  await expect(chart).toBeVisible();
  expect(await chart.evaluate((c) => (c as HTMLCanvasElement).width)).toBeGreaterThan(0);
  await expect(nodes.getByRole("row", { name: /^main\/\S+ \d+% of allocatable, 1.50 cores \d+% of allocatable, 6 GiB$/ })).toBeVisible();
  await expect(nodes).toContainText(/down: (unreachable|failed)/);
  await expect(nodes).toContainText(/as of \d/);
  await addCard(page, "top_pods", "Top pods");
  const pods = card(page, "Top pods");
  await expect(pods).toHaveAttribute("data-state", "ready");
  await expect(pods.getByRole("table", { name: "By CPU" })).toContainText("main/shop/frontend-");
  await expect(pods.getByRole("table", { name: "By memory" })).toContainText("192 MiB");
  await addCard(page, "access", "Your access");
  const access = card(page, "Your access");
  await expect(access).toHaveAttribute("data-state", "ready");
  await expect(access.getByRole("row", { name: /main get pods\/log yes/ })).toBeVisible();
  await noSeriousViolations(page);
  await nodes.scrollIntoViewIfNeeded();
  await shoot(page, "insight-cards");
});
