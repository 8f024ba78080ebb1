import type { Message } from "discord.js";
import type { IncomingTurn } from "../chat/engine.js";
import type { ContentFlag } from "../moderation/content.js";
import { type BotContext, logFor } from "./context.js";
import { NOTICES } from "../texts.js";
import { RATE_LIMIT_REACTION, reactQuietly, replyWithNotice } from "./notices.js";

const MS_PER_SECOND = 1000;

/** The rate-limit bucket of a person: per server, and one for all their DMs. */
function rateKey(message: Message): string {
  return `${message.guildId ?? "dm"}:${message.author.id}`;
}

/**
 * Decides whether a message meant for the bot may be taken in. A blocked person is ignored
 * (nothing stored, nothing said). Someone over their limit gets one ⏳ reaction, then
 * silence until their bucket refills. What the message says is checked next, by `screen`.
 */
export async function admit(message: Message, ctx: BotContext): Promise<boolean> {
  const { policy } = ctx.moderation;
  if (policy.isBlocked(message.guildId, message.author.id)) {
    logFor(ctx, message).debug({ user: message.author.id }, "ignored a blocked user");
    return false;
  }
  return takeAllowance(message, ctx);
}

/**
 * The one content check every person's message passes before it is kept, heard by a scene
 * or queued for any reply: the server's blocked words, then the provider's moderation
 * endpoint when it is on, over the text the model would see (attachments read). A flagged
 * message gets a refusal; one that cannot be checked gets a notice and is not answered.
 */
export async function screen(message: Message, turn: IncomingTurn, ctx: BotContext): Promise<boolean> {
  const log = logFor(ctx, message);
  let flag: ContentFlag | undefined;
  try {
    [flag] = await ctx.moderation.content.check([turn.content], ctx.moderation.policy.contentRules(message.guildId));
  } catch (error) {
    log.warn({ err: error }, "could not check a message with the moderation endpoint; not answering");
    await replyWithNotice(message, NOTICES.checksUnavailable, log);
    return false;
  }
  if (!flag) return true;
  const details = { source: flag.source, reasons: flag.reasons, messageId: message.id };
  ctx.moderation.audit.record({
    guildId: message.guildId,
    channelId: message.channelId,
    actorId: message.author.id,
    action: "input.flagged",
    details,
  });
  await replyWithNotice(message, NOTICES.inputRefused, log);
  return false;
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
    audit.record({
      guildId: message.guildId,
      channelId: message.channelId,
      actorId: message.author.id,
      action: "user.rate_limited",
      details,
    });
    await reactQuietly(message, RATE_LIMIT_REACTION, logFor(ctx, message));
  }
  return false;
}
