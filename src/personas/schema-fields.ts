/**
 * The pieces the persona schemas are built of (schema.ts, lore-entry-schema.ts): each refuses
 * a wrong value in plain words, saying what was expected and what was found.
 */
import { z } from "zod";

function isControlCharacter(character: string): boolean {
  const code = character.codePointAt(0) ?? 0;
  return code < 0x20 || (code >= 0x7f && code < 0xa0);
}

/** Control characters (line breaks, NUL...) have no place in a display name. */
export function hasControlCharacters(text: string): boolean {
  return [...text].some(isControlCharacter);
}

/** `text` with each control character replaced by a space. */
export function withoutControlCharacters(text: string): string {
  return [...text].map((c) => (isControlCharacter(c) ? " " : c)).join("");
}

/** What a value is, in words, for "expected text, found a list". */
export function describeValue(value: unknown): string {
  if (value === null) return "nothing (null)";
  if (Array.isArray(value)) return "a list";
  if (typeof value === "object") return "a mapping";
  if (typeof value === "string") return "text";
  return `a ${typeof value}`;
}

/** An error naming what was expected and what was found, or that the field is missing. */
export const found = (what: string) => (issue: { input?: unknown }) =>
  issue.input === undefined ? "is missing" : `expected ${what}, found ${describeValue(issue.input)}`;
export const text = (what = "text") =>
  z
    .string({ error: found(what) })
    .trim()
    .min(1, "must not be empty");
export const flag = z.boolean({ error: found("true or false") });
export const wholeNumber = z.number({ error: found("a whole number") }).int("must be a whole number");
export const textList = (what: string) => z.array(text(), { error: found(what) });

/** What a card kept beyond Masque's fields: any mapping, written back unchanged on export. */
export const cardRemainder = z.record(z.string(), z.unknown(), {
  error: found("a mapping (what the character card held beyond these fields)"),
});
