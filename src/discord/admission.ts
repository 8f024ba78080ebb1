import type { Message } from "discord.js";
import { type BotContext, logFor } from "./context.js";
import { readableText } from "./incoming.js";
import { NOTICES } from "../texts.js";
import { RATE_LIMIT_REACTION, reactQuietly, replyWithNotice } from "./notices.js";

const MS_PER_SECOND = 1000;

/** The rate-limit bucket of a person: per server, and one for all their DMs. */
function rateKey(message: Message): string {
  return `${message.guildId ?? "dm"}:${message.author.id}`;
}

/**
 * Decides whether a message meant for the bot may be queued for an answer. A blocked
 * person is ignored (nothing stored, nothing said). Someone over their limit gets one ⏳
 * reaction, then silence until their bucket refills. A message with a blocked word gets
 * a refusal. Nothing refused here is stored as a turn.
 */
export async function admit(message: Message, ctx: BotContext, botUserId: string): Promise<boolean> {
  const { policy, content, audit } = ctx.moderation;
  const log = logFor(ctx, message);
  const guildId = message.guildId;
  const where = { guildId, channelId: message.channelId, actorId: message.author.id };

  if (policy.isBlocked(guildId, message.author.id)) {
    log.debug({ user: message.author.id }, "ignored a blocked user");
    return false;
  }

  if (!(await takeAllowance(message, ctx))) return false;

  const flag = content.filter(readableText(message, botUserId), policy.contentRules(guildId));
  if (flag) {
    audit.record({ ...where, action: "input.flagged", details: { source: flag.source, reasons: flag.reasons, messageId: message.id } });
    await replyWithNotice(message, NOTICES.inputRefused, log);
    return false;
  }
  return true;
}

/**
 * Spends one reply of the person's allowance; when it is used up, the first refusal gets
 * one ⏳ reaction and an audit entry, then silence until their bucket refills. Each persona
 * of a cast that answers a message costs one.
 */
export async function takeAllowance(message: Message, ctx: BotContext): Promise<boolean> {
  const { policy, audit } = ctx.moderation;
  const verdict = ctx.traffic.rates.take(rateKey(message), policy.rateLimit(message.guildId));
  if (verdict.allowed) return true;
  if (verdict.notify) {
    const details = { retryAfterSeconds: Math.ceil(verdict.retryAfterMs / MS_PER_SECOND) };
    audit.record({ guildId: message.guildId, channelId: message.channelId, actorId: message.author.id, action: "user.rate_limited", details });
    await reactQuietly(message, RATE_LIMIT_REACTION, logFor(ctx, message));
  }
  return false;
}
