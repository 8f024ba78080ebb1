/**
 * What a character card holds beyond Masque's own fields, and how an export writes it back.
 *
 * On import, the card's data is compared with the card Masque would write for the persona
 * it became; every field that differs (one Masque has no field for, such as V3's `assets`
 * or another tool's extension, or one Masque reads into a field but spells differently,
 * such as `<BOT>` for `{{char}}` or a `null` meaning "the global setting") is kept as it was.
 * On export, a kept field is written back as it was while it still means what Masque's field
 * says; a field edited since is written from Masque's value.
 */
import type { CardRemainder } from "./persona.js";

type Json = Record<string, unknown>;

const isMapping = (value: unknown): value is Json =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/** Deep equality of JSON values; mappings compare without regard to key order. */
export function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((item, i) => sameJson(item, b[i]));
  if (isMapping(a) && isMapping(b)) {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    return [...keys].every((key) => sameJson(a[key], b[key]));
  }
  return false;
}

/** Line endings as Masque stores text: a card saved on Windows differs in \r\n only. */
export function withUnixLineEndings(value: unknown): unknown {
  if (typeof value === "string") return value.replace(/\r\n?/g, "\n");
  if (Array.isArray(value)) return value.map(withUnixLineEndings);
  if (isMapping(value)) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, withUnixLineEndings(v)]));
  return value;
}

/**
 * The fields of `original` that `written` (what an export writes without a remainder) does
 * not reproduce; mappings such as `extensions` are compared field by field. `skip` names
 * fields kept elsewhere (a lorebook's entries keep their own remainders).
 */
export function remainderOf(original: Json, written: Json, skip: readonly string[] = []): CardRemainder | undefined {
  const kept: Json = {};
  for (const [key, value] of Object.entries(original)) {
    if (skip.includes(key)) continue;
    const fresh = written[key];
    if (isMapping(value) && isMapping(fresh)) {
      const inner = remainderOf(value, fresh);
      if (inner) kept[key] = inner;
    } else if (!sameJson(value, fresh)) {
      kept[key] = value;
    }
  }
  return Object.keys(kept).length > 0 ? kept : undefined;
}

/**
 * `written` with the remainder put back. A field Masque does not write is added as kept; one
 * it writes takes the kept value only when `meaning` (what Masque reads from a card) is the
 * same with it as without, so an edit made since import is never undone.
 */
export function withRemainder(written: Json, kept: CardRemainder | undefined, meaning: (data: Json) => unknown): Json {
  if (!kept) return written;
  const expected = meaning(written);
  let result: Json = { ...written };
  const path: string[] = [];
  const put = (target: Json, at: readonly string[], key: string, value: unknown): Json => {
    if (at.length === 0) return { ...target, [key]: value };
    const [head, ...rest] = at as [string, ...string[]];
    return { ...target, [head]: put(target[head] as Json, rest, key, value) };
  };
  const visit = (source: Json, current: Json) => {
    for (const [key, value] of Object.entries(source)) {
      if (!(key in current)) {
        result = put(result, path, key, value);
      } else if (isMapping(value) && isMapping(current[key])) {
        path.push(key);
        visit(value, current[key] as Json);
        path.pop();
      } else {
        const candidate = put(result, path, key, value);
        if (sameJson(meaning(candidate), expected)) result = candidate;
      }
    }
  };
  visit(kept, written);
  return result;
}
