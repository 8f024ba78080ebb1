import type { Persona } from "../personas/persona.js";

/** Words people put before a name they call out to ("hey Wren", "thanks Quill"). */
const CALLS = [
  "hey",
  "hi",
  "hello",
  "hiya",
  "oi",
  "yo",
  "ok",
  "okay",
  "so",
  "thanks",
  "thank you",
  "ask",
  "dear",
  "sorry",
];
/** Verbs of a question about what someone thinks ("what does Quill say?"). */
const OPINION_VERBS = ["say", "says", "think", "thinks", "reckon", "feel", "make of", "want", "suggest", "know"];
const AUXILIARIES = ["does", "do", "did", "would", "will", "can", "could", "should", "might"];

/** Letters and digits: a name matches only as whole words. */
const BEFORE = String.raw`(?<![\p{L}\p{N}_])`;
const AFTER = String.raw`(?![\p{L}\p{N}_])`;

function escaped(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** The names a persona answers to: its name and the aliases in its file, longest first. */
export function namesOf(persona: Persona): string[] {
  return [...new Set([persona.name, ...persona.aliases].map((n) => n.trim()).filter(Boolean))].sort(
    (a, b) => b.length - a.length,
  );
}

/**
 * The ways a message addresses someone named `name`, as one pattern:
 * - at the start of the message, or of a sentence when a comma or colon follows ("Wren, ...", "... . Quill: ...");
 * - after a comma at the end of a clause ("what do you think, Wren?");
 * - after a greeting or thanks ("hey Wren", "thanks Quill");
 * - in a question about what it thinks ("what does Quill say?", "would Wren agree?" is not one).
 */
function addressPattern(name: string): RegExp {
  const n = `${BEFORE}@?(?:${name})${AFTER}`;
  const alternatives = [
    String.raw`^[\s"'*_>]*${n}`,
    String.raw`[.!?]\s+${n}\s*[,:]`,
    String.raw`,\s*${n}\s*(?=[?!.,;:…]|$)`,
    String.raw`${BEFORE}(?:${CALLS.join("|")})[\s,]+${n}`,
    String.raw`${BEFORE}(?:${AUXILIARIES.join("|")})\s+${n}\s+(?:${OPINION_VERBS.join("|")})${AFTER}`,
  ];
  return new RegExp(alternatives.join("|"), "iu");
}

/** At the start of a message, several names in a row address all of them ("Wren and Quill, ..."). */
const JOINER = /^\s*(?:,|&|\band\b|\bor\b)\s*/iu;

/**
 * The personas of `cast` a message addresses by name or alias, in the order it names
 * them; a name merely mentioned ("I like Wren's hat") addresses nobody.
 */
export function addressedIn(text: string, cast: readonly Persona[]): Persona[] {
  const found: Array<{ persona: Persona; at: number }> = [];
  for (const persona of cast) {
    const names = namesOf(persona).map(escaped).join("|");
    if (names.length === 0) continue;
    const match = addressPattern(names).exec(text);
    if (match) found.push({ persona, at: match.index + (match[0].length - match[0].trimStart().length) });
  }
  for (const persona of namedInARow(text, cast)) {
    if (!found.some((f) => f.persona === persona.persona)) found.push(persona);
  }
  return found.sort((a, b) => a.at - b.at).map((f) => f.persona);
}

/** Names listed together at the start of a message, each with where it stands. */
function namedInARow(text: string, cast: readonly Persona[]): Array<{ persona: Persona; at: number }> {
  const row: Array<{ persona: Persona; at: number }> = [];
  let rest = text.replace(/^[\s"'*_>]*/u, "");
  let at = text.length - rest.length;
  for (;;) {
    const next = cast
      .flatMap((persona) => namesOf(persona).map((name) => ({ persona, name })))
      .find(({ name }) => new RegExp(`^@?${escaped(name)}${AFTER}`, "iu").test(rest));
    if (!next) break;
    row.push({ persona: next.persona, at });
    const taken = rest.match(new RegExp(`^@?${escaped(next.name)}`, "iu"))![0].length;
    const joiner = JOINER.exec(rest.slice(taken));
    if (!joiner) break;
    at += taken + joiner[0].length;
    rest = rest.slice(taken + joiner[0].length);
  }
  return row.length > 1 ? row : [];
}

/** What decides who answers one message (or a batch answered together, by its newest message). */
export interface AddressInput {
  /** The message's text as people read it. */
  readonly text: string;
  /** The persona whose message this one replies to, if any. */
  readonly repliedTo?: Persona;
  /** Who answers when nobody is addressed: the lead, or in `auto` channels whoever last talked with this person. */
  readonly fallback: Persona;
}

/**
 * The personas that answer a message, in order: the one replied to, then those named, in
 * the order named; nobody addressed, the fallback. Each answers once.
 */
export function whoAnswers(cast: readonly Persona[], input: AddressInput): Persona[] {
  const answering = [...(input.repliedTo ? [input.repliedTo] : []), ...addressedIn(input.text, cast)];
  const unique = answering.filter((persona, index) => answering.findIndex((p) => p.id === persona.id) === index);
  return unique.length > 0 ? unique : [input.fallback];
}
