/**
 * SillyTavern-style macros. Meanings follow SillyTavern's documentation
 * (docs.sillytavern.app/usage/core-concepts/macros) and its evaluateMacros in
 * public/scripts/macros.js; `{{server}}` and `{{channel}}` are Masque's own.
 */

/** What the macros in a persona's text stand for in one conversation. */
export interface MacroContext {
  /** The persona's display name. */
  readonly char: string;
  /** The display name of the person being answered. */
  readonly user: string;
  /** The server's name, or "Direct Messages". */
  readonly server: string;
  /** The channel's name (without #), or "direct message". */
  readonly channel: string;
  readonly date: Date;
  /** Picks for {{random}} and {{roll}}: a number in [0, 1). Math.random unless a test fixes it. */
  readonly random?: () => number;
}

export type MacroName =
  | "char"
  | "user"
  | "server"
  | "channel"
  | "date"
  | "isodate"
  | "time"
  | "isotime"
  | "weekday"
  | "random"
  | "roll";

/** A macro left in place in a split text, to be filled in per conversation. */
export interface MacroSlot {
  readonly macro: MacroName;
  /** The choices of {{random}}, or the dice formula of {{roll}}. */
  readonly args?: readonly string[];
}

/**
 * Macros whose value depends on the conversation. `<USER>`, `<BOT>` and `<CHAR>` are the
 * older spellings SillyTavern still reads.
 */
const MACRO =
  /\{\{\s*(char|user|server|channel|date|isodate|time|isotime|weekday)\s*\}\}|<(user|bot|char)>|\{\{random\s?::?([^}]+)\}\}|\{\{roll[ :]([^}]+)\}\}/gi;

/** `{{// a note}}`: a note for whoever edits the file, never shown to anyone. */
const COMMENT = /\{\{\/\/[\s\S]*?\}\}/g;
/** `{{trim}}` removes itself and the line breaks around it. */
const TRIM = /\n*\{\{trim\}\}\n*/gi;
const NEWLINE = /\{\{newline\}\}/gi;
const NOOP = /\{\{noop\}\}/gi;
/** Dice formulas `{{roll:XdY+Z}}` accepts; a bare number N means 1dN. */
const DICE = /^(\d*)d(\d+)([+-]\d+)?$/i;
/** Keeps a formula like 1000000d1000000 from looping for ages. */
const MAX_DICE = 100;

/** Applies the macros that do not depend on the conversation: comments, {{trim}}, {{newline}}, {{noop}}. */
export function resolveFixedMacros(text: string): string {
  return text.replace(COMMENT, "").replace(TRIM, "").replace(NEWLINE, "\n").replace(NOOP, "");
}

/** The choices of a {{random}}: split on `::` if present, else on commas (`\,` keeps a comma). */
function randomChoices(list: string): string[] {
  if (list.includes("::")) return list.split("::");
  // Split on commas not preceded by a backslash, then unescape.
  return list.split(/(?<!\\),/).map((item) => item.trim().replace(/\\,/g, ","));
}

function rollDice(formula: string, random: () => number): string {
  const spelled = /^\d+$/.test(formula) ? `1d${formula}` : formula;
  const dice = DICE.exec(spelled);
  if (!dice) return "";
  const count = Math.min(Number(dice[1] || 1), MAX_DICE);
  const sides = Number(dice[2]);
  let total = Number(dice[3] ?? 0);
  for (let i = 0; i < count; i++) total += 1 + Math.floor(random() * sides);
  return String(total);
}

function slotOf(match: RegExpMatchArray): MacroSlot {
  const [, name, legacy, randomList, rollFormula] = match;
  if (legacy) return { macro: legacy.toLowerCase() === "user" ? "user" : "char" };
  if (randomList !== undefined) return { macro: "random", args: randomChoices(randomList) };
  if (rollFormula !== undefined) return { macro: "roll", args: [rollFormula.trim()] };
  return { macro: name!.toLowerCase() as MacroName };
}

/** What a macro stands for in one conversation. */
export function macroValue(slot: MacroSlot, context: MacroContext): string {
  const random = context.random ?? Math.random;
  switch (slot.macro) {
    case "char":
    case "user":
    case "server":
    case "channel":
      return context[slot.macro];
    case "date":
    case "isodate":
      // The local date (YYYY-MM-DD), so "today" matches the operator's clock.
      return context.date.toLocaleDateString("en-CA");
    case "time":
      return context.date.toLocaleTimeString("en-US", { hour: "numeric", minute: "2-digit" });
    case "isotime":
      return context.date.toLocaleTimeString("en-GB", { hour: "2-digit", minute: "2-digit" });
    case "weekday":
      return context.date.toLocaleDateString("en-US", { weekday: "long" });
    case "random": {
      const choices = slot.args ?? [];
      return choices.length > 0 ? (choices[Math.floor(random() * choices.length)] ?? "") : "";
    }
    default:
      return rollDice(slot.args?.[0] ?? "", random);
  }
}

/** Replaces every macro; text that only looks like one (`{{mood}}`, `{char}`) is left alone. */
export function renderMacros(text: string, context: MacroContext): string {
  return resolveFixedMacros(text).replace(MACRO, (...match) =>
    macroValue(slotOf(match as unknown as RegExpMatchArray), context),
  );
}

/** Splits a text into its fixed pieces and the macros between them, in order. */
export function splitMacros(text: string): Array<string | MacroSlot> {
  const fixed = resolveFixedMacros(text);
  const pieces: Array<string | MacroSlot> = [];
  let last = 0;
  for (const match of fixed.matchAll(MACRO)) {
    if (match.index > last) pieces.push(fixed.slice(last, match.index));
    pieces.push(slotOf(match));
    last = match.index + match[0].length;
  }
  if (last < fixed.length) pieces.push(fixed.slice(last));
  return pieces;
}
