// Runs before `npm start` and `npm run chat`: installs the dependencies on a fresh clone,
// so a newcomer needs only `npm start`. Plain JavaScript: it runs before anything is installed.
import { spawnSync } from "node:child_process";
import { existsSync, statSync } from "node:fs";

const installed = "node_modules/.package-lock.json";
const lock = "package-lock.json";
const isStale = !existsSync(installed) || (existsSync(lock) && statSync(lock).mtimeMs > statSync(installed).mtimeMs);

if (isStale) {
  console.error("Installing dependencies (npm ci; about a minute the first time)...");
  const npm = process.platform === "win32" ? "npm.cmd" : "npm";
  const result = spawnSync(npm, ["ci", "--no-audit", "--no-fund"], { stdio: "inherit" });
  if (result.status !== 0) {
    console.error("npm ci failed; see the output above. Node.js 20 or newer and a C++ toolchain (for better-sqlite3) are needed.");
    process.exit(result.status ?? 1);
  }
}
