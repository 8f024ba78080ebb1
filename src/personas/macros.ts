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
}

const MACRO = /\{\{\s*(char|user|server|channel|date)\s*\}\}/gi;

export type MacroName = "char" | "user" | "server" | "channel" | "date";

/** A macro left in place in a split text, to be filled in per conversation. */
export interface MacroSlot {
  readonly macro: MacroName;
}

/** What a macro stands for in one conversation. */
export function macroValue(name: MacroName, context: MacroContext): string {
  switch (name) {
    case "char":
      return context.char;
    case "user":
      return context.user;
    case "server":
      return context.server;
    case "channel":
      return context.channel;
    default:
      // The local date (YYYY-MM-DD), so "today" matches the operator's clock.
      return context.date.toLocaleDateString("en-CA");
  }
}

/** Replaces `{{char}} {{user}} {{server}} {{channel}} {{date}}` (any case); other braces are left alone. */
export function renderMacros(text: string, context: MacroContext): string {
  return text.replace(MACRO, (_match, name: string) => macroValue(name.toLowerCase() as MacroName, context));
}

/** Splits a text into its fixed pieces and the macros between them, in order. */
export function splitMacros(text: string): Array<string | MacroSlot> {
  const pieces: Array<string | MacroSlot> = [];
  let last = 0;
  for (const match of text.matchAll(MACRO)) {
    if (match.index > last) pieces.push(text.slice(last, match.index));
    pieces.push({ macro: match[1]!.toLowerCase() as MacroName });
    last = match.index + match[0].length;
  }
  if (last < text.length) pieces.push(text.slice(last));
  return pieces;
}
