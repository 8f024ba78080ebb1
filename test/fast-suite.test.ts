import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { PROCESS_TESTS } from "../vitest.config.js";

const REPO = path.resolve(import.meta.dirname, "..");
/** What a test file that starts a process imports or calls. */
const STARTS_A_PROCESS = /\bstartBotProcess\b|helpers\/run-cli\.js"|from "node:child_process"/;

function testFiles(dir: string): string[] {
  return readdirSync(path.join(REPO, dir), { withFileTypes: true }).flatMap((entry) => {
    const relative = `${dir}/${entry.name}`;
    if (entry.isDirectory()) return testFiles(relative);
    return entry.name.endsWith(".test.ts") ? [relative] : [];
  });
}

describe("npm run test:fast", () => {
  it("leaves out exactly the test files that start a process", () => {
    const starting = testFiles("test").filter(
      (file) =>
        file !== "test/fast-suite.test.ts" && STARTS_A_PROCESS.test(readFileSync(path.join(REPO, file), "utf8")),
    );
    expect([...PROCESS_TESTS].sort()).toEqual(starting.sort());
  });
});
