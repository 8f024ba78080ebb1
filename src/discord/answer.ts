import { setTimeout as sleep } from "node:timers/promises";
import type { Message } from "discord.js";
import type { ConversationRef } from "../memory/turns.js";
import type { Waiting } from "../traffic/batching.js";
import { type ModelSlot, QueueFullError } from "../traffic/concurrency.js";
import { ContentFlaggedError } from "../moderation/content.js";
import type { ContentRules } from "../moderation/policy.js";
import { answeredIn, type BotContext, logFor, type PendingMessage } from "./context.js";
import { conversationOf, placeOf } from "./conversation.js";
import { canSeeImages } from "./incoming.js";
import type { EarlierReply, IncomingTurn, ReplyOutcome } from "../chat/engine.js";
import { type CastTurnState, followOn } from "../chat/ensemble.js";
import type { Persona } from "../personas/persona.js";
import { CAST_TEXTS, MODEL_FIXES, REPLY_NOTES } from "../texts.js";
import { takeAllowance } from "./admission.js";
import { recallAudience } from "./audience.js";
import { replyWithNotice } from "./notices.js";
import { forgetRefused, recordFlag, turnAway } from "./refusals.js";
import { channelPoster, discordWriter } from "./posters.js";
import type { MessageWriter } from "./message-writer.js";
import { canUseWebhook, webhookPoster } from "./webhooks.js";

/** What a batch's reply is worked out from, once: where it is, and the content rules there. */
interface BatchPlace {
  readonly conversation: ConversationRef;
  readonly rules: ContentRules;
}

/** One persona's reply to a batch, when a cast answers it in turn. */
interface CastTurn {
  readonly persona: Persona;
  /** The batch's messages; stored by the time a second persona answers. */
  readonly turns: readonly IncomingTurn[];
  /** What the personas before it said to the batch. */
  readonly after: readonly EarlierReply[];
  /** Shown before the reply when no webhook shows whose it is. */
  readonly heading?: string;
}

/**
 * Answers what waits in one conversation, in one turn: waits out the reply gap of an
 * `auto` channel, then for a model slot (telling people the bot is busy when the line is
 * full), takes every message queued by then, and streams one reply to them.
 */
export async function answerWaiting(
  key: string,
  waiting: Waiting<PendingMessage>,
  ctx: BotContext,
  signal: AbortSignal,
): Promise<void> {
  const first = waiting.items[0];
  if (!first || ctx.stopping) return; // left untaken: the queue drops them
  const { policy } = ctx.moderation;
  const { pacer, slots } = ctx.traffic;
  const { message } = first;
  const conversation = conversationOf(answeredIn(first));
  const { mode } = policy.channelMode(conversation.channelId ?? message.channelId, conversation.parentId);
  const place: BatchPlace = { conversation, rules: policy.contentRules(message.guildId) };
  let slot: ModelSlot;
  try {
    if (mode === "auto") {
      const delay = pacer.delayFor(key, policy.autoGapMs(message.guildId));
      if (delay > 0) await sleep(delay, undefined, { signal });
    }
    slot = await slots.acquire(signal);
  } catch (error) {
    if (error instanceof QueueFullError) await turnAway(waiting.take(), ctx);
    else if (!signal.aborted) throw error;
    return;
  }
  try {
    const batch = await refuseTooLong(waiting.take(), place, ctx); // each passed the content checks on arrival (see screen)
    if (batch.length > 0) {
      await answerInTurn(batch, place, ctx, signal, slot);
      pacer.replied(key);
    }
  } finally {
    slot.release();
  }
}

/** A later persona's turn in a cast's answer: one more of the person's allowance and a model slot of its own; undefined when either is not to be had. */
async function nextTurn(message: Message, ctx: BotContext, signal: AbortSignal): Promise<ModelSlot | undefined> {
  if (!(await takeAllowance(message, ctx))) return undefined;
  try {
    return await ctx.traffic.slots.acquire(signal);
  } catch (error) {
    if (error instanceof QueueFullError || signal.aborted) return undefined;
    throw error;
  }
}

/**
 * Answers a batch with each persona its newest message addresses (decided on arrival, see
 * PendingMessage.lineup), one after the other: the first reply stores the messages, each
 * later persona is shown the earlier replies as other speakers' lines. Every reply spends
 * one of the person's allowance and a model slot of its own, so a cast cannot hold the
 * line; without webhooks, in a channel with a cast, each reply opens with its name.
 */
async function answerInTurn(
  batch: PendingMessage[],
  place: BatchPlace,
  ctx: BotContext,
  signal: AbortSignal,
  first: ModelSlot,
): Promise<void> {
  const newest = batch.at(-1)!;
  const { message } = newest;
  const { answerers, inCast } = newest.lineup;
  // Without a webhook showing whose reply it is (off, or none to be had here), each starts with its name.
  const showsName =
    ctx.moderation.policy.personaWebhooks(message.guildId) && (await canUseWebhook(answeredIn(newest), ctx.webhooks));
  const isNamed = inCast && !showsName;
  let state: CastTurnState<IncomingTurn> | undefined = { turns: batch.map((p) => p.turn), after: [] };
  for (const [index, persona] of answerers.entries()) {
    const slot = index === 0 ? first : await nextTurn(message, ctx, signal);
    if (!slot) return;
    const { turns, after }: CastTurnState<IncomingTurn> = state;
    const seen = turnsSeenBy(persona, turns, ctx);
    const heading = isNamed ? CAST_TEXTS.replyHeading(persona.name) : undefined;
    let outcome: ReplyOutcome;
    try {
      outcome = await writeReply(batch, { persona, turns: seen, after, heading }, place, ctx, signal);
    } finally {
      slot.release();
    }
    state = !signal.aborted ? followOn(state, persona, outcome) : undefined;
    if (!state) return;
  }
}

/** The turns as a persona is shown them: without their images when it cannot see images. */
function turnsSeenBy(persona: Persona, turns: readonly IncomingTurn[], ctx: BotContext): readonly IncomingTurn[] {
  return canSeeImages(persona, ctx.config) ? turns : turns.map(({ images: _, ...turn }) => turn);
}

/**
 * Drops the messages of a batch that the first persona to answer cannot fit in one prompt
 * beside the others (see ChatEngine.fitting), each with a note to its author and out of
 * memory, so one message too long to read does not sink the rest. A message alone is left to
 * its reply, which says it is too long.
 */
async function refuseTooLong(batch: PendingMessage[], place: BatchPlace, ctx: BotContext): Promise<PendingMessage[]> {
  const newest = batch.at(-1);
  if (!newest || batch.length === 1) return batch;
  const { engine } = ctx.core;
  const [persona] = newest.lineup.answerers;
  if (!persona) return batch;
  const turns = turnsSeenBy(
    persona,
    batch.map((p) => p.turn),
    ctx,
  );
  const { kept, tooLong } = engine.fitting({
    conversation: place.conversation,
    persona,
    turns,
    place: placeOf(answeredIn(newest)),
  });
  for (const { index, error } of tooLong) {
    const refused = batch[index]!;
    forgetRefused([refused], ctx);
    await replyWithNotice(
      refused.message,
      REPLY_NOTES.tooLong(error.tokens, error.limit),
      logFor(ctx, refused.message),
    );
  }
  return kept.map((index) => batch[index]!);
}

/** The reply's stream: through the persona's webhook when the server uses them, else in the channel. */
function writerFor(
  pending: PendingMessage,
  persona: Persona,
  ctx: BotContext,
  options: { heading?: string },
): MessageWriter {
  const log = logFor(ctx, pending.message);
  const plain = channelPoster(pending.message, answeredIn(pending));
  const sink = ctx.moderation.policy.personaWebhooks(pending.message.guildId)
    ? webhookPoster(answeredIn(pending), persona, ctx.webhooks, plain, log)
    : plain;
  return discordWriter(ctx, sink, persona, { log, ...options });
}

/**
 * A bad key or an unknown model is the admins' to fix: logged once per model with the fix,
 * and posted to each server's audit log channel once (the people talking got one notice).
 */
function reportTrouble(outcome: ReplyOutcome, persona: Persona, message: Message, ctx: BotContext): void {
  const { trouble } = outcome;
  if (!trouble) return;
  const model = persona.model ?? ctx.config.defaultModel;
  const fix = trouble.problem === "auth" ? MODEL_FIXES.auth : MODEL_FIXES.model(model);
  if (trouble.firstForModel) logFor(ctx, message).error({ model, err: outcome.error?.message }, fix);
  if (trouble.firstInServer && message.guildId) {
    ctx.moderation.audit.record({
      guildId: message.guildId,
      channelId: message.channelId,
      actorId: null,
      action: "model.refused",
      details: { model, fix },
    });
  }
}

/**
 * Streams one persona's reply to a batch, answering its newest message; the engine records
 * it. When the server checks content, the reply is held back until it has passed and then
 * posted at once; a flagged reply is replaced by a notice.
 */
async function writeReply(
  batch: PendingMessage[],
  part: CastTurn,
  place: BatchPlace,
  ctx: BotContext,
  signal: AbortSignal,
): Promise<ReplyOutcome> {
  const newest = batch.at(-1)!;
  const { message } = newest;
  const { persona, turns, after } = part;
  const reply = writerFor(newest, persona, ctx, { heading: part.heading });
  reply.start();
  const started = performance.now();
  const review = ctx.moderation.content.replyReview(place.rules, signal);
  const here = answeredIn(newest);
  const audience = recallAudience(
    here,
    batch.map((p) => p.message.author.id),
  );
  const request = {
    conversation: place.conversation,
    persona,
    turns,
    place: placeOf(here),
    quoted: newest.quoted,
    signal,
    review,
    showsIn: here.id,
    after,
    audience,
  };
  const outcome = await ctx.core.engine.reply(request, reply);
  const { error } = outcome;
  reportTrouble(outcome, persona, message, ctx);
  const log = logFor(ctx, message);
  const triggers = batch.map((p) => p.trigger);
  if (error instanceof ContentFlaggedError) {
    recordFlag(ctx, message, "output.withheld", error.flag, { persona: persona.id });
    log.info({ persona: persona.id, source: error.flag.source }, "reply withheld by the content checks");
  } else if (error) {
    const err = error as Error;
    log.warn({ err: { name: err.name, message: err.message }, persona: persona.id, triggers }, "reply failed");
  } else {
    log.debug(
      {
        persona: persona.id,
        triggers,
        messages: batch.length,
        ms: Math.round(performance.now() - started),
        chars: reply.text.length,
      },
      "replied",
    );
  }
  return outcome;
}
