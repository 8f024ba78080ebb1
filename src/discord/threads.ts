import {
  type AnyThreadChannel,
  ChannelType,
  type GuildTextBasedChannel,
  type Message,
  PermissionFlagsBits,
  ThreadAutoArchiveDuration,
} from "discord.js";
import { THREAD_TEXTS } from "../texts.js";
import { type BotContext, logFor } from "./context.js";
import { readableText } from "./incoming.js";

/** Discord allows thread names of 1–100 characters; Masque keeps them short enough to read in the list. */
export const THREAD_NAME_CHARS = 60;
/** Threads Masque opens archive after a day without messages (Discord's default; a new message reopens them). */
export const THREAD_ARCHIVE_AFTER = ThreadAutoArchiveDuration.OneDay;

/** The permissions the bot needs to open a thread and speak in it, public or private. */
export function threadPermissions(isPrivate: boolean): bigint[] {
  return [
    isPrivate ? PermissionFlagsBits.CreatePrivateThreads : PermissionFlagsBits.CreatePublicThreads,
    PermissionFlagsBits.SendMessagesInThreads,
  ];
}

/** Whether the bot holds every permission it needs to open a thread in `channel`. */
export function mayOpenThread(channel: GuildTextBasedChannel, isPrivate: boolean): boolean {
  const me = channel.guild.members.me;
  return me !== null && channel.permissionsFor(me).has(threadPermissions(isPrivate));
}

/** A thread name from some text: its first line, shortened, never empty. */
export function threadName(text: string, fallback: string): string {
  const firstLine = text.split("\n")[0]?.replace(/\s+/g, " ").trim() ?? "";
  const chars = [...(firstLine || fallback)];
  return chars.length <= THREAD_NAME_CHARS ? chars.join("") : `${chars.slice(0, THREAD_NAME_CHARS - 1).join("")}…`;
}

/** Logs why no thread was opened, once per server and bot run. */
function warnOnce(ctx: BotContext, message: Message<true>, reason: string, error?: unknown): void {
  const guilds = ctx.threadWarnings;
  if (guilds.has(message.guildId)) return;
  guilds.add(message.guildId);
  logFor(ctx, message).warn({ err: error }, `threads on mention: ${reason}; answering in the channel instead`);
}

/**
 * With `/masque threads on`, a mention in a channel (not a thread) gets its reply in a
 * public thread started from the message, recorded as Masque's so it answers there
 * without mentions. Undefined when it is off or the thread cannot be made (the reason is
 * logged once per server): the reply then goes in the channel as before.
 */
export async function threadForReply(
  message: Message,
  ctx: BotContext,
  botUserId: string,
): Promise<AnyThreadChannel | undefined> {
  if (!message.inGuild() || message.channel.isThread() || message.channel.type !== ChannelType.GuildText)
    return undefined;
  if (!ctx.moderation.policy.threadsOnMention(message.guildId)) return undefined;
  if (!mayOpenThread(message.channel, false)) {
    warnOnce(ctx, message, "the bot lacks Create Public Threads or Send Messages in Threads");
    return undefined;
  }
  try {
    const name = threadName(
      readableText(message, botUserId, ""),
      THREAD_TEXTS.replyThreadName(message.member?.displayName ?? message.author.displayName),
    );
    const thread = await message.startThread({
      name,
      autoArchiveDuration: THREAD_ARCHIVE_AFTER,
      reason: THREAD_TEXTS.reason,
    });
    ctx.core.memory.threads.record({
      threadId: thread.id,
      guildId: message.guildId,
      parentId: message.channelId,
      openedBy: message.author.id,
      private: false,
    });
    return thread;
  } catch (error) {
    warnOnce(ctx, message, "Discord refused to start a thread", error);
    return undefined;
  }
}
