/** The README is for users: a short quick start whose commands are the ones CI and users run. */
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

const REPO = path.resolve(import.meta.dirname, "..");
const README = readFileSync(path.join(REPO, "README.md"), "utf8");
/** The limit issue 16 set so the README stays a user's page (figures and internals live in docs/). */
const MAX_README_CHARACTERS = 16_000;

/** The first shell block under a heading. */
function firstShellBlock(heading: string): string[] {
  const section = README.slice(README.indexOf(`\n## ${heading}\n`));
  const block = /```sh\n([\s\S]*?)```/.exec(section)?.[1] ?? "";
  return block
    .split("\n")
    .map((line) => line.replace(/#.*$/, "").trim())
    .filter(Boolean);
}

describe("README.md", () => {
  it("starts a bot with one command and runs the tests with another, the one CI runs", () => {
    expect(firstShellBlock("Quick start")).toEqual(["cp .env.example .env", "npm start", "npm run check"]);
    const ciCommands = readFileSync(path.join(REPO, ".ci/run"), "utf8")
      .split("\n")
      .filter((line) => !line.trimStart().startsWith("#"));
    expect(ciCommands.some((line) => /(^|\s)npm run check(\s|$)/.test(line))).toBe(true);
  });

  it("has the sections a newcomer needs, and stays short", () => {
    for (const heading of [
      "## Quick start",
      "## Create the Discord application",
      "## Models",
      "### Use a local model (Ollama)",
      "## Deploy",
    ]) {
      expect(README).toContain(`\n${heading}\n`);
    }
    expect(README.length).toBeLessThan(MAX_README_CHARACTERS);
  });
});
