import type { MessageMentionOptions } from "discord.js";

/**
 * What the bot's messages may ping: only the person it replies to. Model output that
 * contains @everyone, @here, role or user mentions renders as text but notifies nobody.
 */
export const SAFE_MENTIONS: MessageMentionOptions = { parse: [], repliedUser: true };
