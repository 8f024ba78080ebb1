import type { Logger } from "../log.js";
import type { ChatRequest, ModelClient } from "../llm/client.js";
import { ModelError, ModelStreamError } from "../llm/errors.js";
import type { Memory } from "../memory/index.js";
import type { ConversationRef, NewTurn } from "../memory/turns.js";
import type { MacroContext } from "../personas/macros.js";
import type { Persona } from "../personas/persona.js";
import type { PersonaRegistry } from "../personas/registry.js";
import { buildPromptFromMemory } from "./context.js";
import { type BuiltPrompt, IMAGE_TOKENS, type ImageRef, type PendingTurn, type QuotedMessage } from "./prompt.js";
import type { Summarizer } from "./summarizer.js";
import { countTurnTokens } from "./tokens.js";

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
   * Checks the whole reply before any of it is shown or stored; throwing withholds it (the
   * stream throws that error and only the user turns are stored). With a review the reply
   * is not streamed piece by piece: it comes out in one piece once it has passed.
   */
  readonly review?: (text: string) => Promise<void>;
  /**
   * Shows the whole reply once it has been yielded (and passed review), resolving with the
   * ids of the messages that now hold it; none when it could not be shown. The engine
   * stores the turns after that, in one write with the reply linked to its messages: the
   * write does not hold the reply back, and a reply nobody was shown is not stored as said.
   */
  readonly deliver?: () => Promise<readonly string[]>;
}

/** What a finished (or failed) reply left in memory. */
export interface ReplyOutcome {
  readonly status: "complete" | "interrupted" | "failed" | "withheld";
  readonly text: string;
  readonly userTurnIds: readonly number[];
  /** Undefined when no text at all came back. */
  readonly assistantTurnId?: number;
  /** The messages `deliver` showed the reply in; undefined when it was not delivered that way. */
  readonly messageIds?: readonly string[];
  readonly error?: ModelError;
}

/** One finished model reply, reported for metrics. */
export interface ReplyObservation {
  readonly persona: string;
  readonly status: ReplyOutcome["status"];
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

/** A reply being streamed: iterate it for the text; `outcome` is set once it has ended. */
export interface ReplyStream extends AsyncIterable<string> {
  readonly outcome: ReplyOutcome | undefined;
}

/**
 * The conversation engine: knows nothing about Discord. It builds the prompt from the
 * persona and stored memory, streams the model's reply, and stores the turns.
 *
 * What a reply leaves in memory (one transaction, written when the stream ends, or with
 * `deliver` once the reply has been shown):
 * - completed: the user turn(s) and the assistant turn, linked to the messages it was
 *   shown in (a completed reply `deliver` could not show at all: the user turns only);
 * - failed or aborted after some text: the user turn(s) and the partial assistant turn
 *   marked `interrupted` (shown to the model later as cut off);
 * - failed or aborted before any text: the user turn(s) only, so what people said is
 *   never lost and the next reply can still answer it.
 */
export class ChatEngine {
  constructor(private readonly deps: EngineDeps) {}

  /** The persona active in a conversation: thread → parent channel → server default → global default. */
  resolvePersona(conversation: ConversationRef): Persona {
    const registry = this.deps.personas();
    const settings = this.deps.memory.settings;
    const candidates = [
      settings.conversationPersona(conversation.key),
      conversation.parentId ? settings.conversationPersona(`channel:${conversation.parentId}`) : undefined,
      conversation.guildId ? settings.guildPersona(conversation.guildId) : undefined,
    ];
    for (const id of candidates) {
      const persona = id ? registry.get(id) : undefined;
      if (persona) return persona;
    }
    return registry.default;
  }

  /** Streams a reply to `request.turns` in `request.persona`'s voice. */
  reply(request: ReplyRequest): ReplyStream {
    const stream = {
      outcome: undefined as ReplyOutcome | undefined,
      [Symbol.asyncIterator]: () => this.#run(request, (outcome) => (stream.outcome = outcome)),
    };
    return stream;
  }

  async *#run(request: ReplyRequest, finish: (outcome: ReplyOutcome) => void): AsyncGenerator<string, void, undefined> {
    const { memory, model, settings, log } = this.deps;
    const { persona, conversation } = request;
    const textTokens = request.turns.map((t) => countTurnTokens(t.authorName, t.content));
    const pending: PendingTurn[] = request.turns.map((t, i) => ({ ...t, tokenCount: textTokens[i]! + (t.images?.length ?? 0) * IMAGE_TOKENS }));
    const newest = request.turns.at(-1);
    const macros: MacroContext = {
      char: persona.name,
      user: newest?.authorName ?? "someone",
      server: request.place.server,
      channel: request.place.channel,
      date: new Date(),
    };

    // The prompt's text is dropped once the model has it (a suspended generator keeps every
    // variable in scope), so it is not held while the reply is delivered; its figures are.
    let built: BuiltPrompt | undefined = buildPromptFromMemory(memory, {
      conversation,
      persona,
      macros,
      newTurns: pending,
      quoted: request.quoted,
      contextTokens: settings.contextTokens,
    });
    const { tokens: promptTokens, historyTurns, historyRoom, summaryIncluded, recalledTurns } = built;
    let chatRequest: ChatRequest | undefined = {
      model: persona.model ?? settings.defaultModel,
      messages: built.messages,
      temperature: persona.temperature,
      topP: persona.topP,
      maxTokens: persona.maxTokens,
    };
    built = undefined;

    let text = "";
    let error: ModelError | undefined;
    let completed = false;
    const startedAt = performance.now();
    let firstTokenMs: number | undefined;
    // A reviewed reply is held back (neither shown nor stored) until it has passed.
    let approved = request.review === undefined;
    let inReview = false;
    let delivered: readonly string[] | undefined;
    try {
      const pieces = model.stream(chatRequest, request.signal);
      chatRequest = undefined;
      for await (const piece of pieces) {
        firstTokenMs ??= performance.now() - startedAt;
        text += piece;
        if (approved) yield piece;
      }
      if (!approved) {
        inReview = true;
        await request.review?.(text);
        inReview = false;
        approved = true;
        yield text;
      }
      completed = true;
      if (request.deliver) delivered = await request.deliver();
    } catch (caught) {
      if (inReview) throw caught; // the review's verdict, not a model failure
      error = caught instanceof ModelError ? caught : new ModelStreamError(String(caught), undefined, caught);
      throw error;
    } finally {
      // Runs on completion, on error, and when the consumer stops early.
      if (!approved) text = "";
      const status = inReview ? "withheld" : completed ? "complete" : text.length > 0 ? "interrupted" : "failed";
      const now = Date.now();
      const turns: NewTurn[] = pending.map((t, i) => ({
        role: "user",
        authorId: t.authorId,
        authorName: t.authorName,
        messageId: t.messageId ?? null,
        content: t.content,
        tokenCount: textTokens[i]!,
        createdAt: now,
      }));
      const replyTokens = text.length > 0 ? countTurnTokens(persona.name, text) : 0;
      const said = text.length > 0 && delivered?.length !== 0;
      if (said) {
        turns.push({
          role: "assistant",
          authorId: `persona:${persona.id}`,
          authorName: persona.name,
          personaId: persona.id,
          messageId: delivered?.[0] ?? null,
          moreMessageIds: delivered?.slice(1),
          content: text,
          tokenCount: replyTokens,
          status: completed ? "complete" : "interrupted",
          createdAt: now,
        });
      }
      const ids = memory.turns.append(conversation, turns);
      this.deps.summarizer?.schedule(conversation.key, historyRoom);
      const outcome: ReplyOutcome = {
        status,
        text,
        userTurnIds: ids.slice(0, pending.length),
        assistantTurnId: said ? ids.at(-1) : undefined,
        messageIds: delivered,
        error,
      };
      finish(outcome);
      this.deps.observe?.({
        persona: persona.id,
        status,
        promptTokens,
        replyTokens,
        firstTokenMs,
        totalMs: performance.now() - startedAt,
        errorKind: error?.name,
      });
      log.debug(
        { conversation: conversation.key, persona: persona.id, status, promptTokens, historyTurns, summary: summaryIncluded, recalled: recalledTurns, replyChars: text.length },
        "reply finished",
      );
    }
  }
}
