import type { AutocompleteInteraction, ChatInputCommandInteraction, SlashCommandSubcommandBuilder } from "discord.js";
import type { ActivePersona } from "../../chat/active-persona.js";
import { conversationKey, conversationOf } from "../../discord/conversation.js";
import type { BotContext } from "../../discord/context.js";
import type { ConversationRef } from "../../memory/turns.js";

/** The conversation an interaction happens in (a channel not cached is taken as a plain channel). */
export function conversationHere(interaction: ChatInputCommandInteraction | AutocompleteInteraction): ConversationRef {
  return interaction.channel
    ? conversationOf(interaction.channel)
    : { key: conversationKey(interaction.channelId), guildId: interaction.guildId };
}

/** The persona active where the command was used, and where that choice came from. */
export function activeHere(ctx: BotContext, interaction: ChatInputCommandInteraction): ActivePersona {
  return ctx.core.engine.resolvePersona(conversationHere(interaction));
}

/** The `name` option: a persona, suggested as it is typed. */
export function withPersonaName(sub: SlashCommandSubcommandBuilder): SlashCommandSubcommandBuilder {
  return sub.addStringOption((o) =>
    o.setName("name").setDescription("The persona").setRequired(true).setAutocomplete(true),
  );
}

/** The `scope` option: this channel (default) or the whole server. */
export function withScope(sub: SlashCommandSubcommandBuilder): SlashCommandSubcommandBuilder {
  return sub.addStringOption((o) =>
    o
      .setName("scope")
      .setDescription("This channel (default) or the whole server")
      .addChoices({ name: "this channel", value: "channel" }, { name: "whole server", value: "server" }),
  );
}
