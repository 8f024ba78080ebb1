import { execFileSync } from "node:child_process";

/** Builds dist/ as `npm start` does (only when src/ changed), so process tests start the bot exactly as it does. */
export default function setup(): void {
  execFileSync(process.execPath, ["src/cli/prestart.mjs", "--build-only"], { stdio: "inherit" });
}
