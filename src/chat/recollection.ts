import type { Memory } from "../memory/index.js";
import type { WordForms } from "../memory/recall.js";
import type { Summary } from "../memory/summaries.js";
import type { TurnSize } from "../memory/turn-rows.js";
import type { ConversationRef, Turn } from "../memory/turns.js";
import {
  type BuiltPrompt,
  buildPrompt,
  type PendingTurn,
  type PersonNotes,
  type PromptInput,
  type RecalledTurn,
  replyReserve,
} from "./prompt.js";
import { fuseRanks, rankByRelevance, salientWords } from "./recall.js";
import { fitInOrder } from "./tokens.js";

/** Enough stored turns to fill any sensible context; the budget decides how many are used. */
export const MAX_HISTORY_TURNS = 400;
/** Recall reads at most this many of the newest matches per scope, then ranks them. */
export const RECALL_CANDIDATES = 40;
/** At most this many recalled turns go into a prompt. */
export const RECALL_MAX_TURNS = 3;
/**
 * Vector hits farther than this cosine distance (1 - similarity) are not recalled: a search
 * always finds its nearest turns, however unrelated. Loose on purpose, since models differ
 * in how similar unrelated texts look (OpenAI's text-embedding-3 about 0.1, nomic-embed-text
 * about 0.4): recall keeps at most RECALL_MAX_TURNS anyway.
 */
export const MAX_RECALL_DISTANCE = 0.7;

/**
 * Who a reply is for, as its host knows them: whether they may see a turn said in another
 * conversation (Discord: a channel @everyone can view, that each person asking can view
 * too, checked from the permissions held now). Without one, recall stays in the conversation.
 */
export interface RecallAudience {
  canRead(conversationKey: string): boolean;
}

/** What memory holds for one reply. */
export interface Recollection {
  /** Turns after the summary that could fit the window, newest first. */
  readonly history: Turn[];
  /** The tokens of the turns after the summary that are older than `history` (0 when it holds them all). */
  readonly olderTokens: number;
  readonly summary: Summary | undefined;
  /** Older turns related to the new message, most relevant first. */
  readonly recalled: RecalledTurn[];
  /** The notes of the people in the window and the new messages, by person id. */
  readonly people: PersonNotes[];
}

export interface RecollectionRequest {
  readonly conversation: ConversationRef;
  readonly persona: PromptInput["persona"];
  readonly newTurns: readonly PendingTurn[];
  readonly contextTokens: number;
  /**
   * The id of the first new message when it is stored already (kept since it was
   * accepted): what people said from it on is not history (the persona's replies are).
   */
  readonly newFromId?: number;
  /** Stored replies shown with the new turns instead of in the window (the cast's earlier replies to the same message). */
  readonly leaveOut?: readonly number[];
  /** Who may see turns recalled from the server's other conversations; none: nothing crosses. */
  readonly audience?: RecallAudience;
  /** The new message's embedding vector (EMBEDDING_MODEL): recall by meaning beside recall by words. */
  readonly queryVector?: Float32Array;
  /** How words match (default stems; the recall benchmark's floor uses exact). */
  readonly wordForms?: WordForms;
}

/**
 * The id of the oldest turn that could make it into the window however short the system
 * prompt is; recall only looks at older turns, so it never repeats the window. Undefined
 * when memory holds nothing older than the window.
 */
function windowStart(sizes: readonly TurnSize[], fitting: number, summary: Summary | undefined): number | undefined {
  const start = sizes[fitting - 1]?.id;
  const allFit = fitting > 0 && fitting === sizes.length;
  const nothingOlder = summary === undefined && sizes.length < MAX_HISTORY_TURNS && (allFit || sizes.length === 0);
  if (nothingOlder) return undefined;
  return start ?? sizes[0]?.id ?? (summary ? summary.lastTurnId + 1 : undefined);
}

/**
 * `turns` (newest first) in the order the conversation had: a message is stored when it is
 * accepted, so one that arrived while a reply was being written is stored before that reply;
 * it goes after it, just before the reply that answered it (when one did).
 */
function inConversationOrder(memory: Memory, turns: readonly Turn[]): Turn[] {
  const answeredBy = memory.turns.answeredBy(turns.filter((t) => t.role === "user").map((t) => t.id));
  const place = (t: Turn) => answeredBy.get(t.id) ?? t.id;
  return [...turns].sort((a, b) => place(b) - place(a) || b.id - a.id);
}

/**
 * Reads what memory holds for a reply: the summary, the turns after it, and older turns
 * related to the new message (same conversation; the server's other channels too when
 * its admins turned server-wide recall on). Every read is index-backed and bounded, so
 * the cost does not grow with the history.
 */
export function recollect(memory: Memory, request: RecollectionRequest): Recollection {
  const { conversation, persona, contextTokens } = request;
  const summary = memory.summaries.get(conversation.key);
  const afterId = summary?.lastTurnId ?? 0;
  // Sizes first (two numbers a turn), then the text of only the turns that can fit however
  // short the system prompt is: the window rarely holds all MAX_HISTORY_TURNS, and reading
  // every one's text was most of what a reply allocated. Lore scans the newest few either way.
  const newTokens = request.newTurns.reduce((sum, t) => sum + t.tokenCount, 0);
  const room = contextTokens - replyReserve(persona, contextTokens) - newTokens;
  const newFrom = request.newFromId ?? Number.MAX_SAFE_INTEGER;
  const sizes = memory.turns.recentSizes(conversation.key, MAX_HISTORY_TURNS, afterId, room, newFrom);
  const fitting = fitInOrder(sizes, room).count;
  const wanted = Math.max(fitting, persona.loreScanDepth ?? 0);
  const leftOut = new Set(request.leaveOut);
  const stored =
    wanted === 0
      ? []
      : memory.turns.recent(conversation.key, wanted, afterId, newFrom).filter((t) => !leftOut.has(t.id));
  const history = inConversationOrder(memory, stored);
  // Only when the summarizer is behind do the turns after the summary not all fit; the window's start is then counted from its end.
  const allRead = fitting === sizes.length && sizes.length < MAX_HISTORY_TURNS;
  const olderTokens =
    allRead || history.length === 0
      ? 0
      : memory.turns.tokensBetween(conversation.key, afterId, oldestId(history), newFrom);
  const beforeId = windowStart(sizes, fitting, summary);
  const people = peopleNotes(memory, request, history, summary);
  const words = salientWords(request.newTurns.map((t) => t.content).join("\n"));
  if (words.length === 0 && request.queryVector === undefined)
    return { history, summary, olderTokens, recalled: [], people };
  return { history, summary, olderTokens, recalled: recallTurns(memory, request, beforeId, words), people };
}

/**
 * The turns recalled for the new messages, best first: by their salient `words` and by
 * meaning, in this conversation before the window (`beforeId`) and, through the audience,
 * elsewhere in the server where it recalls server-wide.
 */
function recallTurns(
  memory: Memory,
  request: RecollectionRequest,
  beforeId: number | undefined,
  words: readonly string[],
): Recollection["recalled"] {
  const { conversation, audience, queryVector: vector, wordForms: forms } = request;
  const conversationKey = conversation.key;
  const searchWords = words.length > 0;
  const hereByWords =
    beforeId === undefined || !searchWords
      ? []
      : memory.recall.searchConversation({ conversationKey, beforeId, words, limit: RECALL_CANDIDATES, forms });
  const hereByMeaning =
    beforeId === undefined || vector === undefined
      ? []
      : memory.vectors.searchConversation({ conversationKey, beforeId, vector, limit: RECALL_CANDIDATES });
  // Turns from another conversation reach this one only through the audience, by words and by meaning alike.
  const guildId =
    audience !== undefined && conversation.guildId && memory.recall.serverWide(conversation.guildId)
      ? conversation.guildId
      : undefined;
  const readable = <T extends { readonly conversationKey: string }>(hits: readonly T[]) =>
    hits.filter((hit) => audience!.canRead(hit.conversationKey));
  const elsewhere = { guildId: guildId!, excludedConversationKey: conversationKey, limit: RECALL_CANDIDATES };
  const elsewhereByWords =
    guildId === undefined || !searchWords ? [] : readable(memory.recall.searchServer({ ...elsewhere, words, forms }));
  const elsewhereByMeaning =
    guildId === undefined || vector === undefined
      ? []
      : readable(memory.vectors.searchServer({ ...elsewhere, vector }));
  const byWords = rankByRelevance([...hereByWords, ...elsewhereByWords], words, forms);
  const byMeaning = [...hereByMeaning, ...elsewhereByMeaning]
    .filter((hit) => hit.distance <= MAX_RECALL_DISTANCE)
    .sort((a, b) => a.distance - b.distance);
  const best = fuseRanks<{ readonly id: number }>([byWords, byMeaning]).slice(0, RECALL_MAX_TURNS);
  const rank = new Map(best.map((hit, i) => [hit.id, i]));
  const recalled = memory.recall
    .turns(best.map((hit) => hit.id))
    .sort((a, b) => rank.get(a.id)! - rank.get(b.id)!)
    .map((turn) => ({ turn, elsewhere: turn.conversationKey !== conversation.key }));
  return recalled;
}

/**
 * The notes of the people who speak in the window or the new messages, where notes are kept
 * about them: those drawn from this conversation, and from others only where the audience
 * may read that conversation (the recall rule). They sit in the prompt's stable part, so
 * they are read as of the moment that part last changed (the summary, the people in it):
 * a new note waits for that, a deleted one is gone at once.
 */
function peopleNotes(
  memory: Memory,
  request: RecollectionRequest,
  history: readonly Turn[],
  summary: Summary | undefined,
): PersonNotes[] {
  const { conversation, audience } = request;
  const guildId = conversation.guildId ?? null;
  const names = new Map<string, string>();
  for (const t of [...history].reverse()) if (t.role === "user") names.set(t.authorId, t.authorName);
  for (const t of request.newTurns) if (!t.byPersona) names.set(t.authorId, t.authorName);
  const ids = [...names.keys()].filter((id) => memory.personNotes.keeps(guildId, id)).sort();
  if (ids.length === 0) return [];
  const upTo = memory.personNotes.shownUpTo(conversation.key, `${summary?.lastTurnId ?? 0}:${ids.join(",")}`);
  const readable = (sourceKey: string) => sourceKey === conversation.key || audience?.canRead(sourceKey) === true;
  return ids.flatMap((id) => {
    const notes = memory.personNotes.of(guildId, id).filter((n) => n.id <= upTo && readable(n.sourceKey));
    return notes.length === 0 ? [] : [{ name: names.get(id)!, notes: notes.map((n) => n.content) }];
  });
}

function oldestId(turns: readonly Turn[]): number {
  let oldest = Number.MAX_SAFE_INTEGER;
  for (const turn of turns) oldest = Math.min(oldest, turn.id);
  return oldest;
}

/** Builds a reply's prompt from memory: recollect, then buildPrompt. This is what the memory benchmark times. */
export function buildPromptFromMemory(
  memory: Memory,
  input: Omit<PromptInput, "history" | "summary" | "recalled" | "olderTokens"> &
    Pick<RecollectionRequest, "conversation" | "newFromId" | "leaveOut" | "audience" | "queryVector" | "wordForms">,
): BuiltPrompt {
  const { history, summary, recalled, olderTokens, people } = recollect(memory, input);
  return buildPrompt({ ...input, history, summary, recalled, olderTokens, people });
}
