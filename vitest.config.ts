import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    globalSetup: ["test/global-setup.ts"],
    // End-to-end tests start real servers and a real discord.js client; give them room.
    testTimeout: 20_000,
    hookTimeout: 20_000,
    // Two cores: run files in parallel but not so many that timing-sensitive e2e runs starve.
    maxWorkers: 2,
  },
});
