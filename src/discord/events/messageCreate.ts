import type { Message } from "discord.js";
import { admit, screen } from "../admission.js";
import { turnAway } from "../refusals.js";
import { type BotContext, type Lineup, logFor, type PendingMessage } from "../context.js";
import { conversationOf } from "../conversation.js";
import { addressedIn } from "../../chat/addressing.js";
import type { Cast } from "../../chat/cast.js";
import { canSeeImages, incomingTurnOf, quotedMessageOf, readableText } from "../incoming.js";
import { hearInScene, sceneListens } from "../scenes.js";
import { threadForReply } from "../threads.js";
import { type Trigger, triggerOf } from "../triggers.js";
import type { ChannelMode } from "../../memory/channel-modes.js";
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
  await ctx.intake.run(conversation.key, () => takeIn(message, ctx, botUserId));
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
  return ctx.intake.idle();
}

/** Why this message is for the bot, if it is: the channel's mode, Masque's threads, the server's allowed bots, the cast. */
function triggerFor(
  message: Message,
  ctx: BotContext,
  botUserId: string,
  mode: ChannelMode,
  castHere: () => Cast,
): Trigger | undefined {
  const { memory } = ctx.core;
  // Only in a channel with a cast does a name alone call the bot.
  const addressesCast = () => {
    const { members } = castHere();
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
  // The cast is read once per message, and only when something needs it.
  let cast: Cast | undefined;
  const castHere = () => (cast ??= ctx.core.engine.cast(here));
  const trigger = triggerFor(message, ctx, botUserId, inScene ? "auto" : mode, castHere);
  if (!trigger) return;
  if (message.author.bot && !botExchanges.mayAnswerBot(here.key)) {
    logFor(ctx, message).debug(
      { bot: message.author.id },
      "not answering another bot: too many bot-to-bot exchanges here since a person spoke",
    );
    return;
  }
  if (!(await admit(message, ctx))) return;

  const quoted = await quotedMessageOf(message, ctx);
  // Who answers is decided here, once, and carried to the reply.
  const query = {
    text: readableText(message, botUserId),
    repliedToPersonaId: quoted?.personaId,
    authorId: message.author.id,
    mode,
  };
  const lineupIn = (conversation: ConversationRef, castThere: Cast): Lineup => ({
    answerers: ctx.core.engine.answerers(conversation, query, castThere),
    inCast: castThere.members.length > 1,
  });
  const lineupHere = lineupIn(here, castHere());
  // Images are read for the first persona to answer (a thread opened for the message has this channel's cast); another that cannot see them is answered without them.
  const [persona] = lineupHere.answerers;
  const incoming = await incomingTurnOf(message, botUserId, {
    vision: persona !== undefined && canSeeImages(persona, ctx.config),
    discordApiUrl: ctx.config.discordApiUrl,
  });
  // Before it is kept, named in a thread, heard by a scene or queued: whatever answers it.
  if (!(await screen(message, incoming, ctx))) return;
  const thread = trigger === "mention" && !inScene ? await threadForReply(message, ctx, botUserId) : undefined;
  const conversation = thread ? conversationOf(thread) : here;
  // A thread opened for the reply is a conversation of its own: who last talked with the person there is its own.
  const lineup = thread ? lineupIn(conversation, ctx.core.engine.cast(conversation)) : lineupHere;
  const turnId = keep(ctx, message, () => ctx.core.engine.keep(conversation, incoming));
  const pending: PendingMessage = {
    message,
    trigger,
    turn: turnId === undefined ? incoming : { ...incoming, turnId },
    lineup,
    quoted,
    thread,
  };
  if (inScene && hearInScene(ctx, here.key, pending)) return;
  if (!ctx.conversations.push(conversation.key, pending)) await turnAway([pending], ctx);
}
