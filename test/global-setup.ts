import { execFileSync } from "node:child_process";
import path from "node:path";

/** Builds dist/ once, so process tests start the bot exactly as `npm start` does (node dist/main.js). */
export default function setup(): void {
  execFileSync(process.execPath, [path.resolve("node_modules/typescript/bin/tsc"), "-p", "tsconfig.build.json"], { stdio: "inherit" });
}
