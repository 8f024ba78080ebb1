import { type Channel, ChannelType, PermissionFlagsBits } from "discord.js";
import type { RecallAudience } from "../chat/recollection.js";
import { channelIdOf } from "./conversation.js";

/**
 * Recall's audience for a reply in `here` to the people `askerIds`: a turn said in another
 * conversation may be shown only if it came from a channel of the same server (or a public
 * thread of one) that @everyone can view after its permission overwrites, and that every
 * person asking can view too. A private thread's and a DM's words never leave them. Read
 * from the permissions discord.js holds now, so a channel made private later stops being
 * recalled; anything it cannot tell (a channel or member not in its cache) is not shown.
 */
export function recallAudience(here: Channel, askerIds: readonly string[]): RecallAudience {
  return {
    canRead(conversationKey) {
      if (here.isDMBased()) return false;
      const id = channelIdOf(conversationKey);
      const source = id === undefined ? undefined : here.client.channels.cache.get(id);
      if (!source || source.isDMBased() || source.guildId !== here.guildId) return false;
      if (source.type === ChannelType.PrivateThread) return false;
      const { guild } = source;
      if (!source.permissionsFor(guild.roles.everyone).has(PermissionFlagsBits.ViewChannel)) return false;
      return askerIds.every((askerId) => {
        const member = guild.members.cache.get(askerId);
        return member !== undefined && source.permissionsFor(member).has(PermissionFlagsBits.ViewChannel);
      });
    },
  };
}
