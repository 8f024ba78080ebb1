import { MessageFlags } from "discord.js";
import type { BotContext } from "../../discord/context.js";
import { SAFE_MENTIONS } from "../../discord/mentions.js";
import { joinRefusal, leaveRefusal } from "../../chat/cast.js";
import type { ConversationRef } from "../../memory/turns.js";
import { CAST_TEXTS, PERSONA_TEXTS } from "../../texts.js";
import { adminOnly } from "../preconditions.js";
import type { Subcommand } from "../types.js";
import { conversationHere, withPersonaName } from "./here.js";

/**
 * Before a thread's cast changes, it gets its own copy of the cast it inherits from its
 * channel, so the change applies to the thread alone and keeps the rest.
 */
function ownCast(ctx: BotContext, conversation: ConversationRef, guildId: string): void {
  const { casts } = ctx.core.memory;
  if (!conversation.parentKey || casts.members(conversation.key).length > 0) return;
  ctx.core.memory.db.transaction(() => {
    for (const member of casts.members(conversation.parentKey!))
      casts.add(conversation.key, guildId, member.personaId, member.addedBy);
  })();
}

/** `/persona add <name>`: a persona joins the cast here, beside the lead (admins; at most MAX_CAST). */
export const add: Subcommand = {
  name: "add",
  define: (sub) =>
    withPersonaName(sub.setDescription("Add a persona to the cast here: it answers when named (admins)")),
  run: adminOnly(async ({ interaction, ctx, guildId }) => {
    const name = interaction.options.getString("name", true);
    const persona = ctx.core.personas().get(name);
    const conversation = conversationHere(interaction);
    const { maxCast } = ctx.config;
    const refusal = joinRefusal(ctx.core.engine.cast(conversation), persona, maxCast);
    if (refusal || !persona) {
      const shownName = persona?.name ?? name;
      const content = {
        unknown: PERSONA_TEXTS.noSuchPersona(name),
        lead: CAST_TEXTS.isLead(shownName),
        member: CAST_TEXTS.alreadyIn(shownName),
        full: CAST_TEXTS.full(maxCast),
      }[refusal ?? "unknown"];
      await interaction.reply({ content, flags: MessageFlags.Ephemeral, allowedMentions: SAFE_MENTIONS });
      return;
    }
    ownCast(ctx, conversation, guildId);
    ctx.core.memory.casts.add(conversation.key, guildId, persona.id, interaction.user.id);
    ctx.core.log.info(
      { guild: guildId, channel: interaction.channelId, by: interaction.user.id, persona: persona.id },
      "persona added to the cast",
    );
    ctx.moderation.audit.record({
      guildId,
      channelId: interaction.channelId,
      actorId: interaction.user.id,
      action: "cast.add",
      details: { persona: persona.id },
    });
    await interaction.reply({ content: CAST_TEXTS.added(persona.name), allowedMentions: SAFE_MENTIONS });
  }),
};

/** `/persona remove <name>`: a persona leaves the cast here (admins; the lead stays). */
export const remove: Subcommand = {
  name: "remove",
  define: (sub) => withPersonaName(sub.setDescription("Remove a persona from the cast here (admins)")),
  run: adminOnly(async ({ interaction, ctx, guildId }) => {
    const name = interaction.options.getString("name", true);
    const conversation = conversationHere(interaction);
    const cast = ctx.core.engine.cast(conversation);
    // A persona whose file is gone can still be removed by its id.
    const shownName = ctx.core.personas().get(name)?.name ?? name;
    const stored = ctx.core.memory.casts.members(conversation.key).map((m) => m.personaId);
    const refusal = leaveRefusal(cast, name, stored);
    if (refusal) {
      const content = refusal === "lead" ? CAST_TEXTS.leadStays(cast.lead.name) : CAST_TEXTS.notIn(shownName);
      await interaction.reply({ content, flags: MessageFlags.Ephemeral, allowedMentions: SAFE_MENTIONS });
      return;
    }
    ownCast(ctx, conversation, guildId);
    ctx.core.memory.casts.remove(conversation.key, name);
    ctx.core.log.info(
      { guild: guildId, channel: interaction.channelId, by: interaction.user.id, persona: name },
      "persona removed from the cast",
    );
    ctx.moderation.audit.record({
      guildId,
      channelId: interaction.channelId,
      actorId: interaction.user.id,
      action: "cast.remove",
      details: { persona: name },
    });
    await interaction.reply({ content: CAST_TEXTS.removed(shownName), allowedMentions: SAFE_MENTIONS });
  }),
};
