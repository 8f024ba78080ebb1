import { type MacroContext, renderMacros } from "./macros.js";
import { charName, type Persona } from "./persona.js";

/** What {{user}} is in a greeting addressed to nobody in particular, unless the persona sets greeting_user. */
export const DEFAULT_GREETING_USER = "everyone";

/**
 * Every opening message of a persona: its greeting, then its alternate greetings (a card's
 * swipes), then, in a channel where it is one of a cast, its group-only greetings (SPEC_V3.md,
 * `group_only_greetings`: "used only in group chats").
 */
export function greetingsOf(persona: Persona, inCast = false): string[] {
  return [persona.greeting, ...(persona.greetings ?? []), ...(inCast ? (persona.groupGreetings ?? []) : [])].filter(
    (g): g is string => g !== undefined && g.trim() !== "",
  );
}

/** One greeting: which it is (1 = the first) and its text with macros still in place. */
export interface Greeting {
  readonly number: number;
  readonly text: string;
}

/**
 * The greeting to post: number `chosen` (1-based) when given, else one picked at random,
 * avoiding `previous` when there is another to pick. Undefined when the persona has none
 * or `chosen` is out of range.
 */
export function pickGreeting(
  persona: Persona,
  options: { chosen?: number; previous?: number; random?: () => number; inCast?: boolean } = {},
): Greeting | undefined {
  const all = greetingsOf(persona, options.inCast);
  if (options.chosen !== undefined) {
    const text = all[options.chosen - 1];
    return text === undefined ? undefined : { number: options.chosen, text };
  }
  const candidates = all
    .map((text, i) => ({ number: i + 1, text }))
    .filter((g) => all.length === 1 || g.number !== options.previous);
  const random = options.random ?? Math.random;
  return candidates[Math.floor(random() * candidates.length)];
}

/**
 * A greeting as people read it: macros filled in, `{{user}}` being `user` (the person who
 * asked for it) or, when nobody did, the persona's greeting_user or "everyone".
 */
export function renderGreeting(
  persona: Persona,
  text: string,
  context: Omit<MacroContext, "char" | "user"> & { user?: string },
): string {
  return renderMacros(text, {
    ...context,
    char: charName(persona),
    user: context.user ?? persona.greetingUser ?? DEFAULT_GREETING_USER,
  }).trim();
}
