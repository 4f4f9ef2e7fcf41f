import { defineConfig } from "@playwright/test";

// Run by test/console (go test), which starts the console and passes its
// URL; Chromium is Debian's (npm's browser download is not reachable here).
export default defineConfig({
  testDir: "e2e",
  workers: 1,
  fullyParallel: false,
  retries: 0,
  timeout: 60_000,
  expect: { timeout: 15_000 },
  reporter: "list",
  use: {
    baseURL: process.env.CONSOLE_URL,
    viewport: { width: 1280, height: 720 },
    contextOptions: { reducedMotion: "reduce" }, // the grid does not animate: boxes measure where they stay
    launchOptions: { executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium" },
    trace: "off",
  },
});
