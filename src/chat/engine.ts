import { ModelBudgets } from "../llm/budgets.js";
import type { ModelClient, ModelUsage } from "../llm/client.js";
import { ModelContextLengthError } from "../llm/errors.js";
import { ModelTrouble } from "../llm/trouble.js";
import type { Logger } from "../log.js";
import type { Memory } from "../memory/index.js";
import type { WordForms } from "../memory/recall.js";
import type { ConversationRef } from "../memory/turns.js";
import type { Persona } from "../personas/persona.js";
import type { PersonaRegistry } from "../personas/registry.js";
import { type ActivePersona, activePersona } from "./active-persona.js";
import { type Cast, castOf } from "./cast.js";
import { type AnswerersQuery, answerersOf, earlierTurnIds } from "./ensemble.js";
import { type KeptTurn, ReplyJournal, recordSaid, withdrawTurns } from "./journal.js";
import { type FittingTurns, fittingTurns } from "./fitting.js";
import { type Prepared, prepareReply } from "./prepare.js";
import type { ReplyObservation } from "../observability/metrics.js";
import { type Generated, generate, type ReplyEnding, type ReplySink } from "./generate.js";
import type { IncomingTurn, ReplyOutcome, ReplyRequest } from "./reply.js";
import type { NoteKeeper } from "./people-notes.js";
import type { Meaning } from "./meaning.js";
import type { Summarizer } from "./summarizer.js";
import { countTurnTokens } from "./tokens.js";

export type { CutReason, ReplyEnding, ReplyReview, ReplySink, ReplyStatus, Shown } from "./generate.js";
export type { AnswerersQuery, EarlierReply } from "./ensemble.js";
export type { IncomingTurn, Place, ReplyOutcome, ReplyRequest } from "./reply.js";

export interface EngineSettings {
  readonly defaultModel: string;
  readonly contextTokens: number;
  /** MODEL_REPLY_DEADLINE_MS: a reply is cut this long after it was asked for. */
  readonly replyDeadlineMs?: number;
  /** How recall matches words (default stems; the recall benchmark's floor: exact). */
  readonly recallWordForms?: WordForms;
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
  /** Told after each reply, to note what the people it answered said about themselves. */
  readonly notes?: NoteKeeper;
  /** Recall by meaning (EMBEDDING_MODEL): the new message's vector (the one embedding on the reply path, under a deadline); told after each reply to embed what was stored. */
  readonly meaning?: Meaning;
}

/** Tells the journal the messages showing the reply as the sink posts them; settles once the sink has ended. */
async function noteShown(sink: ReplySink, journal: ReplyJournal): Promise<void> {
  if (!sink.shownIn) return;
  for await (const messageIds of sink.shownIn()) journal.shownIn(messageIds);
}

/** How the sink ends the reply: its text and what cut or failed it; quiet when the conversation was told of the model's trouble already. */
function endingOf(generated: Generated, trouble: ReturnType<ModelTrouble["report"]>): ReplyEnding {
  return {
    text: generated.text,
    ...(generated.error && { error: generated.error }),
    ...(generated.cut && { cut: generated.cut }),
    ...(generated.reasoning && { reasoning: generated.reasoning }),
    ...(trouble?.firstInConversation === false && { quiet: true }),
  };
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
  /** Each model's context, smaller than CONTEXT_TOKENS once it refused a prompt as too long. */
  readonly #budgets: ModelBudgets;
  /** Bad keys and unknown models, reported once per model and told once per conversation. */
  readonly #trouble = new ModelTrouble();

  constructor(private readonly deps: EngineDeps) {
    this.#budgets = new ModelBudgets(deps.log);
  }

  /** The persona active in a conversation, and where the choice came from. */
  resolvePersona(conversation: ConversationRef): ActivePersona {
    return activePersona(this.deps.memory.personaChoices, this.deps.personas(), conversation);
  }

  /** The personas that speak in a conversation: its lead, then the cast beside it (see castOf). */
  cast(conversation: ConversationRef): Cast {
    return castOf(this.deps.memory, this.deps.personas(), conversation);
  }

  /**
   * The personas of the conversation's cast that answer a message, in the order they answer
   * (see answerersOf); pass the cast when it was read already.
   */
  answerers(conversation: ConversationRef, query: AnswerersQuery, cast?: Cast): Persona[] {
    return answerersOf(this.deps.memory, this.deps.personas(), conversation, query, cast);
  }

  /** Which of `request.turns` one prompt can hold (see fittingTurns), so a batch refuses only the messages too long to read. */
  fitting(request: ReplyRequest): FittingTurns {
    return fittingTurns(request.turns, (turns) => this.#prepare({ ...request, turns }));
  }

  /** Keeps a person's message the moment it is accepted (see recordSaid); returns its turn id. */
  keep(conversation: ConversationRef, turn: IncomingTurn): number {
    return recordSaid(this.deps.memory.turns, conversation, turn);
  }

  /** Takes kept messages back out of memory when they are refused before any reply to them (see withdrawTurns). */
  withdraw(turns: readonly KeptTurn[]): void {
    withdrawTurns(this.deps.memory, turns);
  }

  /**
   * Writes the reply to `request.turns` in `request.persona`'s voice into `sink`, then
   * records it through the reply's journal, the only writer of its memory. Model and memory
   * failures end up in the outcome; the sink's `end` is called once.
   */
  async reply(request: ReplyRequest, sink: ReplySink): Promise<ReplyOutcome> {
    const queryVector = await this.deps.meaning?.queryVector(request.turns.map((t) => t.content).join("\n"));
    const follows = earlierTurnIds(request.after ?? []).at(-1);
    const journal = new ReplyJournal(this.deps.memory, this.deps.log, { ...request, follows });
    let prepared: Prepared;
    try {
      prepared = this.#prepare(request, queryVector);
    } catch (caught) {
      const error = caught instanceof Error ? caught : new Error(String(caught));
      await sink.end({ text: "", error });
      journal.refuse();
      return { status: "failed", text: "", userTurnIds: [], messageIds: [], error };
    }
    journal.begin();
    const posting = noteShown(sink, journal);
    const startedAt = performance.now();
    const generated = await this.#generate(request, sink, prepared, queryVector);
    prepared = generated.prepared;
    const trouble = this.#noteTrouble(request, prepared, generated);
    const { shown, messageIds, partial } = await sink.end(endingOf(generated, trouble));
    await posting;
    // The reply is on screen before it is written down; a reply nobody saw is not remembered as
    // said, and one whose end did not reach Discord is remembered as far as it did, as interrupted.
    const text = shown ? (partial ?? generated.text) : "";
    let recorded: ReturnType<ReplyJournal["record"]>;
    try {
      recorded = journal.record({
        userTurns: prepared.userTurns,
        text,
        complete: generated.status === "complete" && partial === undefined,
        messageIds,
      });
    } catch (caught) {
      // Memory could not keep it: the sink says so under the reply it showed.
      const error = caught instanceof Error ? caught : new Error(String(caught));
      await sink.notKept?.(error);
      return { status: "failed", text: generated.text, userTurnIds: [], messageIds, error };
    }
    this.#scheduleBackground(request, prepared, recorded.userTurnIds);
    const outcome: ReplyOutcome = {
      status: generated.status,
      text: generated.text,
      ...recorded,
      messageIds,
      error: generated.error,
      ...(generated.cut && { cut: generated.cut }),
      ...(trouble && { trouble }),
    };
    this.#report(request, prepared, outcome, {
      firstTokenMs: generated.firstTokenMs,
      totalMs: performance.now() - startedAt,
      usage: generated.usage,
    });
    return outcome;
  }

  /** Reports the model's bad key or unknown model (once per model, told once per conversation), or that it works again. */
  #noteTrouble(request: ReplyRequest, prepared: Prepared, generated: Generated) {
    const model = prepared.chatRequest.model;
    const trouble = this.#trouble.report(
      generated.error,
      model,
      request.conversation.key,
      request.conversation.guildId,
    );
    if (generated.status === "complete") this.#trouble.resolved(model);
    return trouble;
  }

  /** Hands a recorded reply to the background passes: the summary, the people notes and the embeddings. */
  #scheduleBackground(request: ReplyRequest, prepared: Prepared, userTurnIds: readonly number[]): void {
    this.deps.summarizer?.schedule(request.conversation.key, prepared.prompt.historyRoom);
    this.deps.notes?.schedule(
      request.conversation,
      prepared.userTurns.map((t, i) => ({ authorId: t.authorId, turnId: userTurnIds[i]! })),
      request.audience,
    );
    this.deps.meaning?.kick();
  }

  /**
   * Streams the model's reply; when the model refuses the prompt as longer than its
   * context before anything was shown, shrinks that model's budget and tries once more.
   */
  async #generate(
    request: ReplyRequest,
    sink: ReplySink,
    prepared: Prepared,
    queryVector: Float32Array | undefined,
  ): Promise<Generated & { prepared: Prepared }> {
    const options = { signal: request.signal, review: request.review, deadlineMs: this.deps.settings.replyDeadlineMs };
    const generated = await generate(this.deps.model, prepared.chatRequest, sink, options);
    const { error } = generated;
    if (!(error instanceof ModelContextLengthError) || generated.text.length > 0) return { ...generated, prepared };
    const smaller = this.#budgets.shrink(prepared.chatRequest.model, error, prepared.contextTokens);
    if (smaller === undefined) return { ...generated, prepared };
    let retry: Prepared;
    try {
      retry = this.#prepare(request, queryVector);
    } catch {
      return { ...generated, prepared }; // the new message alone no longer fits: the refusal stands
    }
    return { ...(await generate(this.deps.model, retry.chatRequest, sink, options)), prepared: retry };
  }

  /** Builds the prompt from memory; throws PromptTooLongError when the new message does not fit. */
  #prepare(request: ReplyRequest, queryVector?: Float32Array): Prepared {
    const { settings } = this.deps;
    const contextTokens = this.#budgets.contextFor(
      request.persona.model ?? settings.defaultModel,
      settings.contextTokens,
    );
    return prepareReply(this.deps, request, contextTokens, queryVector);
  }

  /** Metrics and the debug log line of a finished reply. */
  #report(
    request: ReplyRequest,
    prepared: Prepared,
    outcome: ReplyOutcome,
    model: { firstTokenMs: number | undefined; totalMs: number; usage?: ModelUsage },
  ): void {
    const { persona, conversation } = request;
    const { tokens: promptTokens, historyTurns, summaryIncluded, recalledTurns } = prepared.prompt;
    const { status, text } = outcome;
    const { firstTokenMs, totalMs, usage } = model;
    const replyTokens = text.length > 0 ? countTurnTokens(persona.name, text) : 0;
    const cachedTokens = usage?.cachedTokens ?? 0;
    this.deps.observe?.({
      persona: persona.id,
      status,
      promptTokens,
      replyTokens,
      cachedTokens,
      firstTokenMs,
      totalMs,
      errorKind: outcome.error?.name,
    });
    const figures = {
      conversation: conversation.key,
      persona: persona.id,
      status,
      promptTokens,
      cachedTokens,
      historyTurns,
      summary: summaryIncluded,
      recalled: recalledTurns,
      replyChars: text.length,
    };
    this.deps.log.debug(figures, "reply finished");
  }
}
