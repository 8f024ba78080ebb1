import { spawn } from "node:child_process";
import { cpSync, mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { nodeVersionRefusal } from "../../src/cli/node-version.mjs";
import { tempDirForTest } from "../helpers/temp-dir.js";

const REPO = path.resolve(import.meta.dirname, "..", "..");
/** Each case starts npm and then node, which takes seconds on a loaded machine. */
const NPM_TEST_TIMEOUT_MS = 60_000;
const NPM = process.platform === "win32" ? "npm.cmd" : "npm";

/** npm's entry points a person runs, each with the command its refusal suggests. */
const ENTRY_POINTS = [
  { args: ["start"], command: "npm start" },
  { args: ["run", "chat"], command: "npm run chat" },
  { args: ["test"], command: "npm test" },
  { args: ["run", "check"], command: "npm run check" },
];

function run(
  args: string[],
  cwd: string,
  env: Record<string, string>,
): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(NPM, args, { cwd, env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (d) => (output += d));
    child.stderr.on("data", (d) => (output += d));
    child.on("error", reject);
    child.on("exit", (code) => resolve({ code, output }));
  });
}

/**
 * A copy of the project's scripts and its two plain-JavaScript start-up files, so a check
 * that failed to refuse would run npm ci or vitest in an empty folder, not in this repository.
 */
function projectWithoutDependencies(): string {
  const dir = tempDirForTest();
  cpSync(path.join(REPO, "package.json"), path.join(dir, "package.json"));
  mkdirSync(path.join(dir, "src", "cli"), { recursive: true });
  for (const file of ["node-version.mjs", "prestart.mjs"])
    cpSync(path.join(REPO, "src", "cli", file), path.join(dir, "src", "cli", file));
  return dir;
}

/** A preload that makes every Node.js process npm starts report `version`, as that Node.js would. */
function fakeNodeVersion(dir: string, version: string): Record<string, string> {
  const preload = path.join(dir, "fake-node-version.mjs");
  writeFileSync(
    preload,
    `Object.defineProperty(process, "versions", { value: { ...process.versions, node: ${JSON.stringify(version)} } });\n`,
  );
  return { NODE_OPTIONS: `--import=${preload}` };
}

describe("the Node.js version check", () => {
  it("refuses Node.js 20 and older with the version found and the ways to get a supported one", () => {
    expect(nodeVersionRefusal("20.20.2", "npm start")).toBe(
      "Masque needs Node.js 22 or 24 (found 20.20.2). Install Node.js 24 LTS from https://nodejs.org " +
        "(or `nvm install 24`), or run it with one from npm: `npx -y -p node@24 -- npm start`.",
    );
    expect(nodeVersionRefusal("18.20.4", "npm test")).toContain("(found 18.20.4)");
    expect(nodeVersionRefusal("18.20.4", "npm test")).toContain("`npx -y -p node@24 -- npm test`");
  });

  it("accepts Node.js 22 and 24", () => {
    expect(nodeVersionRefusal("22.12.0")).toBeUndefined();
    expect(nodeVersionRefusal("24.21.0")).toBeUndefined();
    expect(nodeVersionRefusal(process.versions.node)).toBeUndefined();
  });

  it.each(ENTRY_POINTS)(
    "`$command` on Node.js 20 prints the one-line refusal and exits 1",
    { timeout: NPM_TEST_TIMEOUT_MS },
    async ({ args, command }) => {
      const dir = projectWithoutDependencies();
      const result = await run(args, dir, fakeNodeVersion(dir, "20.20.2"));

      expect(result.code).toBe(1);
      const lines = result.output.split("\n").filter((line) => line.trim() !== "" && !line.startsWith(">"));
      expect(lines).toEqual([nodeVersionRefusal("20.20.2", command)]);
    },
  );

  it("`npm test`'s check passes silently on this Node.js", { timeout: NPM_TEST_TIMEOUT_MS }, async () => {
    const dir = projectWithoutDependencies();
    const result = await run(["run", "pretest", "--silent"], dir, {});

    expect(result).toEqual({ code: 0, output: "" });
  });
});
