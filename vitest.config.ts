import { configDefaults, defineConfig } from "vitest/config";

/**
 * The test files that start processes (the bot through `npm start`, the CLI scripts, npm
 * itself): the slow part of the suite. `npm run test:fast` (vitest's `--mode fast`) leaves
 * them out; `npm test` and `npm run check` run everything. test/fast-suite.test.ts keeps
 * this list complete.
 */
export const PROCESS_TESTS = [
  "test/cli/backup.test.ts",
  "test/cli/chat.test.ts",
  "test/cli/deploy-commands.test.ts",
  "test/cli/forget.test.ts",
  "test/cli/node-version.test.ts",
  "test/cli/personas.test.ts",
  "test/e2e/crash.test.ts",
  "test/e2e/database-faults.test.ts",
  "test/e2e/process.test.ts",
  "test/e2e/quick-start.test.ts",
  "test/e2e/reshard.test.ts",
  "test/e2e/shards.test.ts",
];

export default defineConfig(({ mode }) => ({
  test: {
    include: ["test/**/*.test.ts"],
    exclude: mode === "fast" ? [...configDefaults.exclude, ...PROCESS_TESTS] : configDefaults.exclude,
    globalSetup: ["test/global-setup.ts"],
    // End-to-end tests start real servers and a real discord.js client; give them room.
    testTimeout: 20_000,
    hookTimeout: 20_000,
    // Two cores: run files in parallel but not so many that timing-sensitive e2e runs starve.
    maxWorkers: 2,
  },
}));
