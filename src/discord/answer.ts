import { setTimeout as sleep } from "node:timers/promises";
import type { Message } from "discord.js";
import type { BotConfig } from "../config.js";
import type { ConversationRef } from "../memory/turns.js";
import type { Persona } from "../personas/persona.js";
import type { IncomingTurn } from "../chat/engine.js";
import { PromptTooLongError, type QuotedMessage } from "../chat/prompt.js";
import type { Waiting } from "../moderation/batching.js";
import { QueueFullError } from "../moderation/concurrency.js";
import { ContentFlaggedError, type ContentFlag, ModerationUnavailableError } from "../moderation/content.js";
import { conversationOf, placeOf } from "./conversation.js";
import type { BotContext } from "./context.js";
import { NOTICES, replyWithNotice } from "./notices.js";
import { channelSink } from "./sinks.js";
import { failureNoteFor, StreamingReply } from "./streaming.js";
import type { Trigger } from "./triggers.js";
import { webhookSink } from "./webhooks.js";

/** A message admitted for an answer, waiting in its conversation's queue. */
export interface PendingMessage {
  readonly message: Message;
  readonly trigger: Trigger;
  readonly turn: IncomingTurn;
  readonly quoted?: QuotedMessage;
}

/**
 * The persona that answers in a conversation: the one whose message is being replied to
 * (webhook messages cannot be native replies, so memory says who wrote it), else the
 * conversation's active persona.
 */
export function personaFor(ctx: BotContext, conversation: ConversationRef, quoted: QuotedMessage | undefined): Persona {
  const quotedPersona = quoted?.personaId ? ctx.core.personas().get(quoted.personaId) : undefined;
  return quotedPersona ?? ctx.core.engine.resolvePersona(conversation);
}

/** Whether a persona's model is given images: its own `vision` setting, or MODEL_VISION for the default model. */
export function canSeeImages(persona: Persona, config: BotConfig): boolean {
  return persona.vision ?? (persona.model === undefined && config.modelVision);
}

/** A logger that names the message's channel, server and id. */
export function logFor(ctx: BotContext, message: Message) {
  return ctx.core.log.child({ channel: message.channelId, guild: message.guildId ?? "dm", message: message.id });
}

function recordFlag(ctx: BotContext, message: Message, action: "input.flagged" | "output.withheld", flag: ContentFlag, extra: Record<string, string | null> = {}): void {
  ctx.moderation.audit.record({
    guildId: message.guildId,
    channelId: message.channelId,
    actorId: message.author.id,
    action,
    details: { source: flag.source, reasons: flag.reasons, messageId: message.id, ...extra },
  });
}

/** Tells each person in the batch that the bot is too busy to answer them now. */
export async function turnAway(batch: readonly PendingMessage[], ctx: BotContext): Promise<void> {
  for (const { message } of batch) {
    ctx.moderation.audit.record({ guildId: message.guildId, channelId: message.channelId, actorId: message.author.id, action: "bot.busy", details: { messageId: message.id } });
    await replyWithNotice(message, NOTICES.busy, logFor(ctx, message));
  }
}

/**
 * Answers what waits in one conversation, in one turn: waits out the reply gap of an
 * `auto` channel, then for a model slot (telling people the bot is busy when the line is
 * full), takes every message queued by then, refuses those the provider flags, and
 * streams one reply to the rest.
 */
export async function answerWaiting(key: string, waiting: Waiting<PendingMessage>, ctx: BotContext, signal: AbortSignal): Promise<void> {
  const first = waiting.items[0];
  if (!first || ctx.stopping) return; // left untaken: the queue drops them
  const { policy, pacer, slots } = ctx.moderation;
  const { message } = first;
  let release: () => void;
  try {
    const conversation = conversationOf(message.channel);
    if (policy.channelMode(message.channelId, conversation.parentId).mode === "auto") {
      const delay = pacer.delayFor(key, policy.autoGapMs(message.guildId));
      if (delay > 0) await sleep(delay, undefined, { signal });
    }
    release = await slots.acquire(signal);
  } catch (error) {
    if (error instanceof QueueFullError) await turnAway(waiting.take(), ctx);
    else if (!signal.aborted) throw error;
    return;
  }
  try {
    const batch = await screenInputs(waiting.take(), ctx, signal);
    if (batch.length > 0) {
      await writeReply(batch, ctx, signal);
      pacer.replied(key);
    }
  } finally {
    release();
  }
}

/** Drops (and answers with a refusal) the messages the content checks flag; blocked words were checked on arrival. */
async function screenInputs(batch: PendingMessage[], ctx: BotContext, signal: AbortSignal): Promise<PendingMessage[]> {
  const { policy, content } = ctx.moderation;
  const newest = batch.at(-1);
  if (!newest) return [];
  const rules = policy.contentRules(newest.message.guildId);
  if (rules.provider === "off") return batch;
  let flags: Array<ContentFlag | undefined>;
  try {
    flags = await content.check(
      batch.map((p) => p.turn.content),
      rules,
      signal,
    );
  } catch (error) {
    if (signal.aborted) return [];
    logFor(ctx, newest.message).warn({ err: error }, "could not check messages with the moderation endpoint; not answering");
    await replyWithNotice(newest.message, NOTICES.checksUnavailable, logFor(ctx, newest.message));
    return [];
  }
  const admitted: PendingMessage[] = [];
  for (const [index, pending] of batch.entries()) {
    const flag = flags[index];
    if (!flag) {
      admitted.push(pending);
      continue;
    }
    recordFlag(ctx, pending.message, "input.flagged", flag);
    await replyWithNotice(pending.message, NOTICES.inputRefused, logFor(ctx, pending.message));
  }
  return admitted;
}

/** A short plain-language note for a reply that failed or was held back. */
function failureNote(error: unknown, ctx: BotContext): string {
  if (error instanceof PromptTooLongError) {
    return `Your message is too long for me to read in one go (about ${error.tokens} tokens; ${error.limit} fit). Please shorten it or split it up.`;
  }
  if (error instanceof ContentFlaggedError) return NOTICES.outputWithheld;
  if (ctx.stopping) return "I was interrupted because I'm restarting. Ask me again in a moment.";
  if (error instanceof ModerationUnavailableError) return NOTICES.checksUnavailable;
  return failureNoteFor(error);
}

/**
 * Streams the active persona's reply to a batch, answering its newest message. When the
 * server checks content, the reply is held back until it has passed (see ChatEngine's
 * review) and then posted at once; a flagged reply is replaced by a notice.
 */
async function writeReply(batch: PendingMessage[], ctx: BotContext, signal: AbortSignal): Promise<void> {
  const newest = batch.at(-1)!;
  const { message } = newest;
  const { core } = ctx;
  const { policy, content } = ctx.moderation;
  const log = logFor(ctx, message);
  const conversation = conversationOf(message.channel);
  const rules = policy.contentRules(message.guildId);
  const persona = personaFor(ctx, conversation, newest.quoted);
  const sink = policy.personaWebhooks(message.guildId) ? webhookSink(message, persona, ctx.webhooks, channelSink(message), log) : channelSink(message);
  const reply = new StreamingReply(sink, {
    budget: ctx.editBudget,
    onSinkError: (error) => {
      core.metrics.error("discord");
      log.warn({ err: error }, "could not update the reply on Discord");
    },
  });
  reply.startTyping();
  const started = performance.now();
  const review = content.needsReview(rules) ? (text: string) => content.review(text, rules, signal) : undefined;
  const stream = core.engine.reply({
    conversation,
    persona,
    turns: batch.map((p) => p.turn),
    place: placeOf(message.channel),
    quoted: newest.quoted,
    signal,
    review,
    // The final text goes to Discord before the turns are written, not after.
    deliver: () => reply.textComplete(),
  });
  const result = await reply.run(stream, (error) => failureNote(error, ctx));
  const turnId = stream.outcome?.assistantTurnId;
  // A reply that ended early was stored before Discord had all of it: link or forget it now.
  if (stream.outcome?.messageIds === undefined && turnId !== undefined) {
    if (result.messageIds.length > 0) core.memory.turns.linkMessages(turnId, result.messageIds);
    // A reply Discord never took is not remembered as said: the model must not believe people saw it.
    else core.memory.eraser.forgetTurn(turnId, conversation.key);
  }
  const triggers = batch.map((p) => p.trigger);
  if (result.error instanceof ContentFlaggedError) {
    recordFlag(ctx, message, "output.withheld", result.error.flag, { persona: persona.id });
    log.info({ persona: persona.id, source: result.error.flag.source }, "reply withheld by the content checks");
  } else if (result.error) {
    const err = result.error as Error;
    log.warn({ err: { name: err.name, message: err.message }, persona: persona.id, triggers }, "reply failed");
  } else {
    log.debug({ persona: persona.id, triggers, messages: batch.length, ms: Math.round(performance.now() - started), chars: result.text.length }, "replied");
  }
}
