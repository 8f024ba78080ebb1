import { type ChatInputCommandInteraction, MessageFlags, PermissionFlagsBits } from "discord.js";
import { conversationKey } from "../../discord/conversation.js";
import type { BotContext } from "../../discord/context.js";
import { SAFE_MENTIONS } from "../../discord/mentions.js";
import type { PersonaScope } from "../../memory/persona-choices.js";
import type { Persona } from "../../personas/persona.js";
import { PERSONA_TEXTS } from "../../texts.js";
import { adminOnly } from "../preconditions.js";
import type { Subcommand } from "../types.js";
import { postGreeting, refuseGreetingNumber } from "./greet.js";
import { activeHere, withPersonaName, withScope } from "./here.js";

/** Renames the bot in this server to the persona; a missing permission is logged, not fatal. */
async function adoptNickname(
  interaction: ChatInputCommandInteraction,
  ctx: BotContext,
  persona: Persona,
): Promise<void> {
  const me = interaction.guild?.members.me;
  if (!me) return;
  if (!me.permissions.has(PermissionFlagsBits.ChangeNickname)) {
    ctx.core.log.info(
      { guild: interaction.guildId },
      "not changing the nickname: the bot lacks the Change Nickname permission",
    );
    return;
  }
  try {
    await me.setNickname(persona.name, `Persona set by ${interaction.user.tag}`);
  } catch (error) {
    ctx.core.log.warn({ guild: interaction.guildId, err: (error as Error).message }, "could not change the nickname");
  }
}

function scopeOf(interaction: ChatInputCommandInteraction): PersonaScope {
  return interaction.options.getString("scope") === "server" ? "server" : "channel";
}

export const set: Subcommand = {
  name: "set",
  define: (sub) =>
    withScope(withPersonaName(sub.setDescription("Switch the persona (admins)"))).addIntegerOption((o) =>
      o
        .setName("greeting")
        .setDescription("Which greeting to post (1 = the first); a random one if left out")
        .setMinValue(1),
    ),
  run: adminOnly(async ({ interaction, ctx, guildId }) => {
    const name = interaction.options.getString("name", true);
    const persona = ctx.core.personas().get(name);
    if (!persona) {
      await interaction.reply({
        content: PERSONA_TEXTS.noSuchPersona(name),
        flags: MessageFlags.Ephemeral,
        allowedMentions: SAFE_MENTIONS,
      });
      return;
    }
    const chosen = interaction.options.getInteger("greeting");
    if (await refuseGreetingNumber(interaction, persona, chosen)) return;
    const scope = scopeOf(interaction);
    const choices = ctx.core.memory.personaChoices;
    if (scope === "server") choices.setGuildPersona(guildId, persona.id, interaction.user.id);
    else choices.setConversationPersona(conversationKey(interaction.channelId), persona.id, interaction.user.id);
    ctx.core.log.info(
      { guild: guildId, channel: interaction.channelId, by: interaction.user.id, persona: persona.id, scope },
      "persona set",
    );
    ctx.moderation.audit.record({
      guildId,
      channelId: interaction.channelId,
      actorId: interaction.user.id,
      action: "persona.set",
      details: { persona: persona.id, scope },
    });

    const isActiveHere = activeHere(ctx, interaction).persona.id === persona.id;
    await interaction.reply({
      content: PERSONA_TEXTS.set(persona.name, scope, isActiveHere),
      allowedMentions: SAFE_MENTIONS,
    });
    if (isActiveHere) await postGreeting(interaction, ctx, persona, chosen ?? undefined);
    await adoptNickname(interaction, ctx, persona);
  }),
};

export const reset: Subcommand = {
  name: "reset",
  define: (sub) => withScope(sub.setDescription("Remove a persona choice (admins)")),
  run: adminOnly(async ({ interaction, ctx, guildId }) => {
    const scope = scopeOf(interaction);
    const choices = ctx.core.memory.personaChoices;
    const removed =
      scope === "server"
        ? choices.clearGuildPersona(guildId)
        : choices.clearConversationPersona(conversationKey(interaction.channelId));
    ctx.core.log.info(
      { guild: guildId, channel: interaction.channelId, by: interaction.user.id, scope, removed },
      "persona reset",
    );
    if (removed)
      ctx.moderation.audit.record({
        guildId,
        channelId: interaction.channelId,
        actorId: interaction.user.id,
        action: "persona.reset",
        details: { scope },
      });
    const { persona } = activeHere(ctx, interaction);
    await interaction.reply({
      content: PERSONA_TEXTS.reset(removed, scope, persona.name),
      allowedMentions: SAFE_MENTIONS,
    });
    if (removed) await adoptNickname(interaction, ctx, persona);
  }),
};
