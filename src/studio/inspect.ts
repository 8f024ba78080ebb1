import path from "node:path";
import { buildPrompt, triggeredLore } from "../chat/prompt.js";
import type { PendingTurn } from "../chat/prompt-parts.js";
import { countTokens, countTurnTokens, MESSAGE_OVERHEAD_TOKENS } from "../chat/tokens.js";
import type { Turn } from "../memory/turns.js";
import { keyMatches } from "../personas/lore.js";
import { renderMacros } from "../personas/macros.js";
import { parsePersona } from "../personas/parse.js";
import type { Persona } from "../personas/persona.js";

/** Names the macros use in the inspector: a sample conversation has no server. */
const SAMPLE_PLACE = { server: "Studio", channel: "sample" } as const;
/** Who speaks a sample line that names nobody. */
const DEFAULT_SPEAKER = "User";
/** A sample line: `Name: what they say`. */
const SAMPLE_LINE = /^([^:\n]{1,64}):\s?(.*)$/;

/** One message of the prompt, as the model gets it, with what it costs and whether it is in the cacheable prefix. */
export interface InspectedMessage {
  /** Which part of the prompt it is. */
  readonly part: "system" | "window" | "new" | "after";
  readonly role: string;
  readonly content: string;
  readonly tokens: number;
  readonly cacheable: boolean;
}

/** A lorebook entry the sample set off: its place in the lorebook, its comment, and the key that matched (none for a constant one). */
export interface FiredLore {
  readonly index: number;
  readonly comment: string | undefined;
  readonly constant: boolean;
  readonly key: string | undefined;
}

export type Inspection =
  | {
      readonly ok: true;
      readonly messages: readonly InspectedMessage[];
      readonly lore: readonly FiredLore[];
      readonly tokens: number;
      readonly budget: number;
      readonly historyTurns: number;
      readonly sampleTurns: number;
    }
  | { readonly ok: false; readonly problem: "draft" | "sample" };

/** The sample as turns: every line but the last is stored history (the persona's own lines by its name), the last is the new message. */
function sampleTurns(persona: Persona, sample: string): { history: Turn[]; newTurn: PendingTurn } | undefined {
  const lines = sample
    .replaceAll("{{char}}", persona.name)
    .split("\n")
    .map((line) => line.trim())
    .filter(Boolean);
  const last = lines.pop();
  if (last === undefined) return undefined;
  const said = (line: string) => {
    const match = SAMPLE_LINE.exec(line);
    return match ? { name: match[1]!.trim(), content: match[2]! } : { name: DEFAULT_SPEAKER, content: line };
  };
  const history = lines.map((line, index): Turn => {
    const { name, content } = said(line);
    const byPersona = name === persona.name;
    return {
      id: index + 1,
      conversationKey: "studio:sample",
      role: byPersona ? "assistant" : "user",
      authorId: byPersona ? `persona:${persona.id}` : `sample:${name}`,
      authorName: name,
      personaId: byPersona ? persona.id : null,
      messageId: null,
      content,
      tokenCount: countTurnTokens(name, content),
      status: "complete",
      createdAt: index,
    };
  });
  const { name, content } = said(last);
  return {
    history: history.reverse(),
    newTurn: { authorId: `sample:${name}`, authorName: name, content, tokenCount: countTurnTokens(name, content) },
  };
}

/** The first primary key of a fired entry found in the scanned text. */
function firingKey(
  persona: Persona,
  index: number,
  scanned: string,
  render: (key: string) => string,
): string | undefined {
  const entry = persona.lore?.[index];
  if (!entry || entry.constant) return undefined;
  return entry.keys.find((key) => keyMatches(scanned, render(key), entry));
}

/**
 * What the model would get for the draft `text` and a sample conversation: the bot's own
 * prompt builder (buildPrompt) over the sample as history and new message, each message
 * with its tokens, the lore that fired and on which key, and the stable prefix (everything
 * before the new message) a provider can cache.
 */
export function inspect(dir: string, file: string, text: string, sample: string, contextTokens: number): Inspection {
  const parsed = parsePersona(path.join(dir, file), file, text);
  if (!parsed.persona) return { ok: false, problem: "draft" };
  const persona = parsed.persona;
  const turns = sampleTurns(persona, sample);
  if (!turns) return { ok: false, problem: "sample" };
  const macros = {
    char: persona.name,
    user: turns.newTurn.authorName,
    ...SAMPLE_PLACE,
    date: new Date(),
    random: () => 0,
  };
  const built = buildPrompt({ persona, macros, history: turns.history, newTurns: [turns.newTurn], contextTokens });
  const fired = triggeredLore(persona, [turns.newTurn], turns.history, macros, contextTokens);
  const render = (key: string) => renderMacros(key, macros);
  const scanned = [
    `${turns.newTurn.authorName}: ${turns.newTurn.content}`,
    ...turns.history.map((t) => `${t.authorName}: ${t.content}`),
  ].join("\n");
  const lore = (persona.lore ?? []).flatMap((entry, index) => {
    const content = renderMacros(entry.content, macros);
    if (!fired.some((f) => f.text.includes(content))) return [];
    return [
      { index, comment: entry.comment, constant: entry.constant, key: firingKey(persona, index, scanned, render) },
    ];
  });
  const newAt = built.messages.findLastIndex(
    (m) => m.role === "user" && typeof m.content === "string" && m.content.includes(turns.newTurn.content),
  );
  const messages = built.messages.map((m, index): InspectedMessage => {
    const content = typeof m.content === "string" ? m.content : JSON.stringify(m.content);
    const part =
      index === 0 && m.role === "system" ? "system" : index < newAt ? "window" : index === newAt ? "new" : "after";
    return {
      part,
      role: m.role,
      content,
      tokens: countTokens(content) + MESSAGE_OVERHEAD_TOKENS,
      cacheable: index < newAt,
    };
  });
  return {
    ok: true,
    messages,
    lore,
    tokens: built.tokens,
    budget: contextTokens,
    historyTurns: built.historyTurns,
    sampleTurns: turns.history.length,
  };
}
