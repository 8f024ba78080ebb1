import { Routes } from "discord.js";
import type { BotContext } from "./context.js";

/**
 * Whether a channel given as a command option belongs to the command's server, asked of
 * Discord itself: an option's resolved channel carries no server (Discord sends only id,
 * name, type and permissions), and discord.js files an unknown one under the command's
 * server, so neither can tell.
 */
export async function isChannelOfServer(ctx: BotContext, channelId: string, guildId: string): Promise<boolean> {
  try {
    const channel = (await ctx.client.rest.get(Routes.channel(channelId))) as { guild_id?: string };
    return channel.guild_id === guildId;
  } catch {
    return false; // unknown, or not visible to the bot: not a channel it can act on here
  }
}
