/**
 * What the bot does with what it refuses to answer or to show: the audit entry, the notice
 * to the person, and the messages taken back out of memory.
 */
import type { Message } from "discord.js";
import type { ContentFlag } from "../moderation/content.js";
import { NOTICES } from "../texts.js";
import { answeredIn, type BotContext, logFor, type PendingMessage } from "./context.js";
import { conversationOf } from "./conversation.js";
import { replyWithNotice } from "./notices.js";

/** Audits a message flagged by the content checks, or a reply they withheld. */
export function recordFlag(
  ctx: BotContext,
  message: Message,
  action: "input.flagged" | "output.withheld",
  flag: ContentFlag,
  extra: Record<string, string | null> = {},
): void {
  ctx.moderation.audit.record({
    guildId: message.guildId,
    channelId: message.channelId,
    actorId: message.author.id,
    action,
    details: { source: flag.source, reasons: flag.reasons, messageId: message.id, ...extra },
  });
}

/** Messages refused after they were kept (the bot is busy) leave memory: nothing refused is stored. */
export function forgetRefused(refused: readonly PendingMessage[], ctx: BotContext): void {
  ctx.core.engine.withdraw(
    refused.flatMap((p) =>
      p.turn.turnId === undefined ? [] : [{ id: p.turn.turnId, conversationKey: conversationOf(answeredIn(p)).key }],
    ),
  );
}

/** Tells each person in the batch that the bot is too busy to answer them now. */
export async function turnAway(batch: readonly PendingMessage[], ctx: BotContext): Promise<void> {
  forgetRefused(batch, ctx);
  for (const { message } of batch) {
    ctx.moderation.audit.record({
      guildId: message.guildId,
      channelId: message.channelId,
      actorId: message.author.id,
      action: "bot.busy",
      details: { messageId: message.id },
    });
    await replyWithNotice(message, NOTICES.busy, logFor(ctx, message));
  }
}
