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

/** Replaces `{{char}} {{user}} {{server}} {{channel}} {{date}}` (any case); other braces are left alone. */
export function renderMacros(text: string, context: MacroContext): string {
  return text.replace(MACRO, (_match, name: string) => {
    switch (name.toLowerCase()) {
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
  });
}
