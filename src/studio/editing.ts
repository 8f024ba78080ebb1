import { createHash, randomBytes } from "node:crypto";
import { readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { contextProblem, fixedPromptTokens, loreWarnings } from "../chat/persona-warnings.js";
import { countTokens } from "../chat/tokens.js";
import { parsePersona } from "../personas/parse.js";
import type { Persona, PersonaProblem } from "../personas/persona.js";
import { type DiffLine, lineDiff } from "./diff.js";

/** A Markdown persona file the studio may open: a persona id and .md, so no path can leave the folder. */
export const EDITABLE_FILE = /^[a-z0-9][a-z0-9_-]{0,63}\.md$/;

/** One problem as the editor shows it: the field, why, and the file's line (1-based) where it sits. */
export interface EditorProblem {
  readonly field: string;
  readonly reason: string;
  readonly line: number;
  readonly warning: boolean;
}

/** What a persona's parts cost in tokens, against CONTEXT_TOKENS. */
export interface TokenReport {
  readonly sections: ReadonlyArray<{ readonly name: string; readonly tokens: number }>;
  /** What every prompt needs at least: the system prompt, post-history instructions and the reply's room. */
  readonly fixed: number;
  readonly contextTokens: number;
}

export type SaveResult =
  | { readonly kind: "saved"; readonly revision: string }
  | { readonly kind: "conflict"; readonly diff: readonly DiffLine[]; readonly revision: string }
  | { readonly kind: "invalid"; readonly problems: readonly EditorProblem[] };

/** The revision of a file's text: what a save must name, so a change on disk since is never overwritten. */
export const revisionOf = (text: string) => createHash("sha256").update(text).digest("hex").slice(0, 16);

/** A persona file's text and revision. */
export function readSource(dir: string, file: string): { text: string; revision: string } {
  const text = readFileSync(path.join(dir, file), "utf8");
  return { text, revision: revisionOf(text) };
}

/** The line a problem points at: the one its reason names (YAML errors), else its top-level field's, else the first. */
function lineOf(text: string, problem: PersonaProblem): number {
  const named = /\(line (\d+)\)/.exec(problem.reason);
  if (named) return Number(named[1]);
  const key = /^[A-Za-z_]+/.exec(problem.field)?.[0];
  const lines = text.split("\n");
  const at = key === undefined ? -1 : lines.findIndex((line) => line.startsWith(`${key}:`));
  return at >= 0 ? at + 1 : 1;
}

function tokenSections(persona: Persona): TokenReport["sections"] {
  const lore = persona.lore ?? [];
  return [
    { name: "prompt (the body)", tokens: countTokens(persona.prompt) },
    {
      name: "examples",
      tokens: persona.examples.reduce((sum, e) => sum + countTokens(e.user ?? "") + countTokens(e.assistant), 0),
    },
    {
      name: "greetings",
      tokens: [persona.greeting ?? "", ...(persona.greetings ?? [])].reduce((sum, g) => sum + countTokens(g), 0),
    },
    {
      name: "constant lore",
      tokens: lore.filter((e) => e.enabled && e.constant).reduce((sum, e) => sum + countTokens(e.content), 0),
    },
    {
      name: "keyed lore (all entries)",
      tokens: lore.filter((e) => e.enabled && !e.constant).reduce((sum, e) => sum + countTokens(e.content), 0),
    },
    { name: "post-history instructions", tokens: countTokens(persona.postHistoryInstructions ?? "") },
  ];
}

/** Checks a draft as the bot would load it (npm run personas -- check's checks); its problems by line, and its tokens. */
export function checkSource(
  dir: string,
  file: string,
  text: string,
  contextTokens: number,
): { problems: EditorProblem[]; tokens?: TokenReport } {
  const parsed = parsePersona(path.join(dir, file), file, text);
  if (!parsed.persona)
    return {
      problems: parsed.problems.map((p) => ({
        field: p.field,
        reason: p.reason,
        line: lineOf(text, p),
        warning: false,
      })),
    };
  const { persona } = parsed;
  const errors = [contextProblem(persona, contextTokens)].filter((p) => p !== undefined);
  const problems = [
    ...errors.map((p) => ({ p, warning: false })),
    ...loreWarnings(persona, contextTokens).map((p) => ({ p, warning: true })),
  ];
  return {
    problems: problems.map(({ p, warning }) => ({ field: p.field, reason: p.reason, line: lineOf(text, p), warning })),
    tokens: { sections: tokenSections(persona), fixed: fixedPromptTokens(persona, contextTokens), contextTokens },
  };
}

/**
 * Saves a draft over `file` if the file is still at `revision` and the draft loads: written
 * to a temp file in the same folder, then renamed over it, so the bot's reload never reads
 * half a file. A changed file is left alone and the difference returned.
 */
export function saveSource(
  dir: string,
  file: string,
  text: string,
  revision: string,
  contextTokens: number,
): SaveResult {
  const current = readSource(dir, file);
  if (current.revision !== revision)
    return { kind: "conflict", diff: lineDiff(current.text, text), revision: current.revision };
  const errors = checkSource(dir, file, text, contextTokens).problems.filter((p) => !p.warning);
  if (errors.length > 0) return { kind: "invalid", problems: errors };
  // Not a persona file name (it does not end in .md), so the folder's watcher never loads it.
  const temp = path.join(dir, `.${file}.${randomBytes(6).toString("hex")}.tmp`);
  try {
    writeFileSync(temp, text, { flag: "wx" });
    renameSync(temp, path.join(dir, file));
  } finally {
    rmSync(temp, { force: true });
  }
  return { kind: "saved", revision: revisionOf(text) };
}
