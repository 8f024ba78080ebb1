// Runs first for `npm start`, `npm run chat`, `npm test` and `npm run check` (their pre-scripts).
// better-sqlite3 13 needs Node.js 22 or newer: on 20 it crashes the process with a segmentation
// fault, and better-sqlite3 12 aborts on Node.js 24.19+. So an older Node.js stops here, with one
// line that says what was found and how to get a supported one.
// Plain JavaScript: it runs before anything is installed or compiled, on whatever Node.js is there.
import path from "node:path";
import { fileURLToPath } from "node:url";

/** The oldest Node.js major version Masque runs on (package.json's engines.node says the same). */
export const OLDEST_SUPPORTED_MAJOR = 22;

/** What the person typed, by npm's lifecycle event, for the fix's example command. */
const COMMAND_FOR_EVENT = {
  prestart: "npm start",
  prechat: "npm run chat",
  pretest: "npm test",
  precheck: "npm run check",
};

/**
 * The one-line refusal for `version` (like "20.20.2"), or undefined when it is supported.
 * `command` is what the person ran, shown in the fix.
 */
export function nodeVersionRefusal(version, command = "npm start") {
  const major = Number.parseInt(version.split(".")[0] ?? "", 10);
  if (major >= OLDEST_SUPPORTED_MAJOR) return undefined;
  return (
    `Masque needs Node.js 22 or 24 (found ${version}). Install Node.js 24 LTS from https://nodejs.org ` +
    `(or \`nvm install 24\`), or run it with one from npm: \`npx -y -p node@24 -- ${command}\`.`
  );
}

/** Stops the process with the refusal when this Node.js is too old for Masque. */
export function exitOnUnsupportedNode() {
  const command = COMMAND_FOR_EVENT[process.env.npm_lifecycle_event] ?? "npm start";
  const refusal = nodeVersionRefusal(process.versions.node, command);
  if (refusal === undefined) return;
  console.error(refusal);
  process.exit(1);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) exitOnUnsupportedNode();
