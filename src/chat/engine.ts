import type { ChatRequest, ModelClient } from "../llm/client.js";
import type { Logger } from "../log.js";
import type { Memory } from "../memory/index.js";
import type { ConversationRef } from "../memory/turns.js";
import type { Persona } from "../personas/persona.js";
import type { PersonaRegistry } from "../personas/registry.js";
import { type ActivePersona, activePersona } from "./active-persona.js";
import { buildPromptFromMemory } from "./recollection.js";
import { generate, type ReplySink, type ReplyStatus } from "./generate.js";
import { type BuiltPrompt, IMAGE_TOKENS, type ImageRef, type QuotedMessage } from "./prompt.js";
import { recordReply, type SaidTurn } from "./record.js";
import type { Summarizer } from "./summarizer.js";
import { countTurnTokens } from "./tokens.js";

export type { ReplyEnding, ReplySink, ReplyStatus, Shown } from "./generate.js";

/** A message from a person, to be answered. */
export interface IncomingTurn {
  readonly authorId: string;
  readonly authorName: string;
  /** The text, with attachments described or inlined; this is what memory keeps. */
  readonly content: string;
  readonly messageId?: string | null;
  /** Images for a vision model, sent with this reply only (memory keeps the text). */
  readonly images?: readonly ImageRef[];
}

/** Names the macros use for the place the conversation happens in. */
export interface Place {
  readonly server: string;
  readonly channel: string;
}

export interface ReplyRequest {
  readonly conversation: ConversationRef;
  readonly persona: Persona;
  /** One message, or several that arrived together and are answered in one turn. */
  readonly turns: readonly IncomingTurn[];
  readonly place: Place;
  /** An earlier message the newest one replies to. */
  readonly quoted?: QuotedMessage;
  /** Aborting stops the model call; what was said so far is kept as an interrupted turn. */
  readonly signal?: AbortSignal;
  /**
   * Checks the whole reply before any of it is shown or stored; throwing withholds it
   * (the outcome carries that error and only the user turns are stored).
   */
  readonly review?: (text: string) => Promise<void>;
}

/** How a reply ended and what it left in memory. */
export interface ReplyOutcome {
  readonly status: ReplyStatus;
  /** What was said (and shown); empty when nothing was. */
  readonly text: string;
  readonly userTurnIds: readonly number[];
  /** Undefined when no text was stored as said. */
  readonly assistantTurnId?: number;
  /** The Discord messages that carry the reply; none outside Discord. */
  readonly messageIds: readonly string[];
  /** Why it did not complete: a ModelError, the review's verdict, PromptTooLongError. */
  readonly error?: Error;
}

/** One finished model reply, reported for metrics. */
export interface ReplyObservation {
  readonly persona: string;
  readonly status: ReplyStatus;
  readonly promptTokens: number;
  readonly replyTokens: number;
  /** From sending the request to the first piece of text; undefined when none came. */
  readonly firstTokenMs: number | undefined;
  readonly totalMs: number;
  /** The error's class name when it failed (ModelTimeoutError, ...). */
  readonly errorKind: string | undefined;
}

export interface EngineSettings {
  readonly defaultModel: string;
  readonly contextTokens: number;
}

export interface EngineDeps {
  readonly memory: Memory;
  readonly model: ModelClient;
  readonly personas: () => PersonaRegistry;
  readonly settings: EngineSettings;
  readonly log: Logger;
  /** Told about every finished reply (metrics). */
  readonly observe?: (observation: ReplyObservation) => void;
  /** Told after each reply, to fold older turns into the conversation's summary in the background. */
  readonly summarizer?: Summarizer;
}

/** A request ready for the model, and the prompt's figures for logs and metrics. */
interface Prepared {
  readonly chatRequest: ChatRequest;
  readonly userTurns: readonly SaidTurn[];
  readonly prompt: Omit<BuiltPrompt, "messages">;
}

/**
 * The conversation engine: knows nothing about Discord. It builds the prompt from the
 * persona and stored memory, streams the model's reply into a sink, and, once the sink
 * has shown it, records the outcome in memory (see recordReply):
 * - completed: the user turn(s) and the assistant turn, linked to the messages it was
 *   shown in (a reply the sink could not show at all: the user turns only);
 * - failed or aborted after some text: the partial assistant turn marked `interrupted`;
 * - failed, aborted or withheld before any text: the user turn(s) only, so what people
 *   said is never lost and the next reply can still answer it.
 */
export class ChatEngine {
  constructor(private readonly deps: EngineDeps) {}

  /** The persona active in a conversation, and where the choice came from. */
  resolvePersona(conversation: ConversationRef): ActivePersona {
    return activePersona(this.deps.memory.personaChoices, this.deps.personas(), conversation);
  }

  /**
   * Writes the reply to `request.turns` in `request.persona`'s voice into `sink`, then
   * records it. Model failures end up in the outcome; only a failed memory write rejects.
   */
  async reply(request: ReplyRequest, sink: ReplySink): Promise<ReplyOutcome> {
    let prepared: Prepared;
    try {
      prepared = this.#prepare(request);
    } catch (caught) {
      const error = caught instanceof Error ? caught : new Error(String(caught));
      await sink.end({ text: "", error });
      return { status: "failed", text: "", userTurnIds: [], messageIds: [], error };
    }
    const startedAt = performance.now();
    const generated = await generate(this.deps.model, prepared.chatRequest, sink, { signal: request.signal, review: request.review });
    const { shown, messageIds } = await sink.end({ text: generated.text, error: generated.error });
    // The reply is on screen before it is written down; a reply nobody saw is not remembered as said.
    const text = shown ? generated.text : "";
    const recorded = recordReply(this.deps.memory.turns, {
      conversation: request.conversation,
      persona: request.persona,
      userTurns: prepared.userTurns,
      text,
      complete: generated.status === "complete",
      messageIds,
    });
    this.deps.summarizer?.schedule(request.conversation.key, prepared.prompt.historyRoom);
    const outcome: ReplyOutcome = { status: generated.status, text: generated.text, ...recorded, messageIds, error: generated.error };
    this.#report(request, prepared, outcome, { firstTokenMs: generated.firstTokenMs, totalMs: performance.now() - startedAt });
    return outcome;
  }

  /** Builds the prompt from memory; throws PromptTooLongError when the new message does not fit. */
  #prepare(request: ReplyRequest): Prepared {
    const { persona } = request;
    const { settings } = this.deps;
    // Memory keeps each message's text tokens; the prompt also counts the images sent with it.
    const userTurns = request.turns.map((t) => ({ ...t, tokenCount: countTurnTokens(t.authorName, t.content) }));
    const newTurns = userTurns.map((t) => ({ ...t, tokenCount: t.tokenCount + (t.images?.length ?? 0) * IMAGE_TOKENS }));
    const { messages, ...prompt } = buildPromptFromMemory(this.deps.memory, {
      conversation: request.conversation,
      persona,
      macros: { char: persona.name, user: request.turns.at(-1)?.authorName ?? "someone", ...request.place, date: new Date() },
      newTurns,
      quoted: request.quoted,
      contextTokens: settings.contextTokens,
    });
    const chatRequest = { model: persona.model ?? settings.defaultModel, messages, temperature: persona.temperature, topP: persona.topP, maxTokens: persona.maxTokens };
    return { chatRequest, userTurns, prompt };
  }

  /** Metrics and the debug log line of a finished reply. */
  #report(request: ReplyRequest, prepared: Prepared, outcome: ReplyOutcome, timing: { firstTokenMs: number | undefined; totalMs: number }): void {
    const { persona, conversation } = request;
    const { tokens: promptTokens, historyTurns, summaryIncluded, recalledTurns } = prepared.prompt;
    const { status, text } = outcome;
    const replyTokens = text.length > 0 ? countTurnTokens(persona.name, text) : 0;
    this.deps.observe?.({ persona: persona.id, status, promptTokens, replyTokens, ...timing, errorKind: outcome.error?.name });
    this.deps.log.debug(
      { conversation: conversation.key, persona: persona.id, status, promptTokens, historyTurns, summary: summaryIncluded, recalled: recalledTurns, replyChars: text.length },
      "reply finished",
    );
  }
}
