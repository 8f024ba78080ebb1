import type { Message } from "discord.js";
import { countTurnTokens } from "../../chat/tokens.js";
import { admit, screen } from "../admission.js";
import { turnAway } from "../answer.js";
import { type BotContext, logFor, type PendingMessage } from "../context.js";
import { conversationOf } from "../conversation.js";
import { addressedIn } from "../../chat/addressing.js";
import { canSeeImages, incomingTurnOf, quotedMessageOf, readableText } from "../incoming.js";
import { InOrder } from "../intake.js";
import { hearInScene, sceneListens } from "../scenes.js";
import { threadForReply } from "../threads.js";
import { type Trigger, triggerOf } from "../triggers.js";
import type { ChannelMode } from "../../memory/server-settings.js";
import type { ConversationRef } from "../../memory/turns.js";

/**
 * Queues a message meant for the bot for an answer, if the channel's mode, the person's
 * standing and limit, and the server's blocked words allow it. The reply is written by
 * the conversation's queue (see answerWaiting), one at a time per conversation.
 */
export async function onMessageCreate(message: Message, ctx: BotContext): Promise<void> {
  ctx.core.metrics.messageSeen(message.inGuild() ? "guild" : "dm");
  const botUserId = ctx.client.user?.id;
  if (!botUserId || ctx.stopping) return;
  const conversation = conversationOf(message.channel);
  // In Discord's order per conversation: reading one message's attachments never lets a later message overtake it.
  await intakeOf(ctx).run(conversation.key, () => takeIn(message, ctx, botUserId));
}

/**
 * Keeps a message from the moment it is accepted, so a crash while it waits or is answered
 * loses at most the unfinished reply. When memory cannot take it now (locked, full), the
 * message is answered all the same and stored with its reply, as before.
 */
function keep(ctx: BotContext, message: Message, store: () => number): number | undefined {
  try {
    return store();
  } catch (error) {
    logFor(ctx, message).warn({ err: error }, "could not keep the message on arrival; it is stored with its reply");
    return undefined;
  }
}

/** Resolves once every message the bot has received so far has been taken in (queued, heard by a scene, or passed over). */
export function takenIn(ctx: BotContext): Promise<void> {
  return intakes.get(ctx)?.idle() ?? Promise.resolve();
}

/** One bot's intake, in order per conversation. */
const intakes = new WeakMap<BotContext, InOrder>();
function intakeOf(ctx: BotContext): InOrder {
  let intake = intakes.get(ctx);
  if (!intake) {
    intake = new InOrder();
    intakes.set(ctx, intake);
  }
  return intake;
}

/** Why this message is for the bot, if it is: the channel's mode, Masque's threads, the server's allowed bots, the cast. */
function triggerFor(message: Message, ctx: BotContext, botUserId: string, here: ConversationRef, mode: ChannelMode): Trigger | undefined {
  const { memory } = ctx.core;
  // Only in a channel with a cast does a name alone call the bot.
  const addressesCast = () => {
    const { members } = ctx.core.engine.cast(here);
    return members.length > 1 && addressedIn(readableText(message, botUserId), members).length > 0;
  };
  return triggerOf(message, botUserId, {
    allowDms: ctx.config.allowDms,
    turns: memory.turns,
    mode,
    inMasqueThread: message.channel.isThread() && memory.threads.isMasqueThread(message.channelId),
    isAllowedBot: (botId) => message.guildId !== null && memory.allowedBots.isAllowed(message.guildId, botId),
    addressesCast,
  });
}

async function takeIn(message: Message, ctx: BotContext, botUserId: string): Promise<void> {
  const here = conversationOf(message.channel);
  const { mode } = ctx.moderation.policy.channelMode(message.channelId, here.parentId);
  const { botExchanges } = ctx.traffic;
  if (!message.author.bot && !message.webhookId && !message.system) botExchanges.personSpoke(here.key);
  // While a scene runs, everything people say in its channel is part of it, mention or not; an `off` channel hears nothing.
  const inScene = mode !== "off" && sceneListens(ctx, here.key);
  const trigger = triggerFor(message, ctx, botUserId, here, inScene ? "auto" : mode);
  if (!trigger) return;
  if (message.author.bot && !botExchanges.mayAnswerBot(here.key)) {
    logFor(ctx, message).debug({ bot: message.author.id }, "not answering another bot: too many bot-to-bot exchanges here since a person spoke");
    return;
  }
  if (!(await admit(message, ctx))) return;

  const quoted = await quotedMessageOf(message, ctx);
  // Images are read for the first persona to answer (a thread opened for the message has this channel's cast); another that cannot see them is answered without them.
  const [persona] = ctx.core.engine.answerers(here, { text: readableText(message, botUserId), repliedToPersonaId: quoted?.personaId, authorId: message.author.id, mode });
  const incoming = await incomingTurnOf(message, botUserId, { vision: persona !== undefined && canSeeImages(persona, ctx.config), discordApiUrl: ctx.config.discordApiUrl });
  // Before it is kept, named in a thread, heard by a scene or queued: whatever answers it.
  if (!(await screen(message, incoming, ctx))) return;
  const thread = trigger === "mention" && !inScene ? await threadForReply(message, ctx, botUserId) : undefined;
  const conversation = thread ? conversationOf(thread) : here;
  const turnId = keep(ctx, message, () => ctx.core.engine.keep(conversation, { ...incoming, tokenCount: countTurnTokens(incoming.authorName, incoming.content) }));
  const pending: PendingMessage = { message, trigger, turn: turnId === undefined ? incoming : { ...incoming, turnId }, quoted, thread };
  if (inScene && hearInScene(ctx, here.key, pending)) return;
  if (!ctx.conversations.push(conversation.key, pending)) await turnAway([pending], ctx);
}
