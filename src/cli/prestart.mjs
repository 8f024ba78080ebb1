// Runs before `npm start` (and, with --no-build, before `npm run chat`). On a fresh clone it
// installs the dependencies, so a newcomer needs only `npm start`; it builds dist/ only when a
// source file changed since the last build, so a start with nothing changed stays quick.
// Plain JavaScript: it runs before anything is installed or compiled.
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { exitOnUnsupportedNode } from "./node-version.mjs";

const INSTALLED = "node_modules/.package-lock.json";
const LOCK = "package-lock.json";
/** Written after each successful build; a build is due when an input is newer. */
const BUILD_STAMP = "dist/.build-stamp";
const BUILD_INPUTS = ["src", "tsconfig.json", "tsconfig.build.json"];
const NPM = process.platform === "win32" ? "npm.cmd" : "npm";

const mtimeOf = (file) => (existsSync(file) ? statSync(file).mtimeMs : 0);

/** The newest modification time of a file, or of any file below a folder. */
function newestMtime(target) {
  const stats = statSync(target);
  if (!stats.isDirectory()) return stats.mtimeMs;
  return readdirSync(target).reduce(
    (newest, name) => Math.max(newest, newestMtime(path.join(target, name))),
    stats.mtimeMs,
  );
}

function ensureInstalled() {
  if (existsSync(INSTALLED) && mtimeOf(LOCK) <= mtimeOf(INSTALLED)) return;
  console.error("Installing dependencies (npm ci, the first time only)...");
  // No install scripts: better-sqlite3 ships its builds, but npm still runs node-gyp for its
  // binding.gyp, which needs Python (npm 11 skips it through allowScripts; npm 10, which comes
  // with Node.js 22, does not). esbuild (for tsx) works without its postinstall.
  const result = spawnSync(NPM, ["ci", "--no-audit", "--no-fund", "--ignore-scripts"], { stdio: "inherit" });
  if (result.status !== 0) {
    console.error(
      "npm ci failed; see the output above (a network problem, or a disk that is full or read-only, are the usual causes).",
    );
    process.exit(result.status ?? 1);
  }
}

function ensureBuilt() {
  const built = mtimeOf(BUILD_STAMP);
  if (built > 0 && BUILD_INPUTS.every((input) => !existsSync(input) || newestMtime(input) <= built)) return;
  const result = spawnSync(process.execPath, ["node_modules/typescript/bin/tsc", "-p", "tsconfig.build.json"], {
    stdio: "inherit",
  });
  if (result.status !== 0) {
    console.error("The TypeScript build failed; see the errors above.");
    process.exit(result.status ?? 1);
  }
  // The studio page's script and style sheet (dist/studio-page/), bundled by esbuild.
  const bundle = spawnSync(process.execPath, ["src/studio/bundle.mjs"], { stdio: "inherit" });
  if (bundle.status !== 0) {
    console.error("Bundling the studio's page failed; see the errors above.");
    process.exit(bundle.status ?? 1);
  }
  writeFileSync(BUILD_STAMP, `${new Date().toISOString()}\n`);
}

exitOnUnsupportedNode();
const args = process.argv.slice(2);
if (!args.includes("--build-only")) ensureInstalled();
if (!args.includes("--no-build")) ensureBuilt();
