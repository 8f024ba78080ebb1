/**
 * Regular expressions written by a card's author (World Info regex keys, regex scripts), run
 * so a hostile one cannot stall a reply: its pattern is capped in length and each run is
 * stopped after a time limit (node:vm's `timeout` interrupts a runaway backtracking match).
 */
import { createContext, Script } from "node:vm";

/** Longer patterns are not run; real keys are a few dozen characters. */
export const MAX_REGEX_PATTERN_LENGTH = 500;
/** A run that takes longer is stopped and counts as no match; wall time, so it leaves room for a loaded machine. */
export const REGEX_TIME_LIMIT_MS = 50;

/** A key written as `/pattern/flags`, as SillyTavern's parseRegexFromString reads one (public/scripts/world-info.js). */
const REGEX_LITERAL = /^\/([\s\S]+)\/([dgimsuvy]*)$/;

export interface ParsedRegex {
  readonly pattern: string;
  readonly flags: string;
}

/** The pattern and flags of a `/pattern/flags` key, or undefined when the key is plain text. */
export function regexOf(key: string): ParsedRegex | undefined {
  const match = REGEX_LITERAL.exec(key.trim());
  return match ? { pattern: match[1] ?? "", flags: match[2] ?? "" } : undefined;
}

const sandbox = createContext({ pattern: "", flags: "", text: "", replacement: "", result: undefined as unknown });
const testScript = new Script("result = new RegExp(pattern, flags).test(text)");
const replaceScript = new Script("result = text.replace(new RegExp(pattern, flags), replacement)");

/** Why a guarded run gave no answer, for `personas explain`. */
export type RegexFailure = "too long" | "invalid" | "timed out";

function run(
  script: Script,
  regex: ParsedRegex,
  text: string,
  replacement = "",
): { value: unknown } | { failure: RegexFailure } {
  if (regex.pattern.length > MAX_REGEX_PATTERN_LENGTH) return { failure: "too long" };
  Object.assign(sandbox, { pattern: regex.pattern, flags: regex.flags, text, replacement, result: undefined });
  try {
    script.runInContext(sandbox, { timeout: REGEX_TIME_LIMIT_MS });
    return { value: sandbox.result };
  } catch (error) {
    return { failure: (error as { code?: string }).code === "ERR_SCRIPT_EXECUTION_TIMEOUT" ? "timed out" : "invalid" };
  }
}

/** Whether the regex matches `text`; a pattern too long, invalid or too slow matches nothing. */
export function guardedTest(regex: ParsedRegex, text: string): { matched: boolean; failure?: RegexFailure } {
  const outcome = run(testScript, regex, text);
  return "failure" in outcome ? { matched: false, failure: outcome.failure } : { matched: outcome.value === true };
}

/** `text` with the regex replaced, or `text` unchanged when the pattern is too long, invalid or too slow. */
export function guardedReplace(regex: ParsedRegex, text: string, replacement: string): string {
  const outcome = run(replaceScript, regex, text, replacement);
  return "failure" in outcome || typeof outcome.value !== "string" ? text : outcome.value;
}
