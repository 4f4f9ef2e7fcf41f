import { defineConfig } from "vitest/config";
import react from "@vitejs/plugin-react";

// The build goes where internal/console embeds it (go:embed web): web/app,
// beside the committed placeholder that a plain `go build` serves. .gitignore
// keeps the build out of commits.
export default defineConfig({
  plugins: [react()],
  build: {
    outDir: "../internal/console/web/app",
    emptyOutDir: true,
    sourcemap: false,
    chunkSizeWarningLimit: 400,
  },
  server: {
    // `npm run dev` against a console on the default port.
    proxy: { "/api": "http://127.0.0.1:8080" },
  },
  test: {
    include: ["src/**/*.test.ts"],
  },
});
