import type { BotContext } from "../context.js";

/**
 * After the persona folder is reloaded: webhook avatars are uploaded afresh, and each
 * removed persona is written to the audit log of every server that had chosen it (those
 * channels fall back to the server's default persona).
 */
export function onPersonasChanged(removed: readonly string[], ctx: BotContext): void {
  ctx.webhooks.clearAvatars();
  if (removed.length === 0) return;
  ctx.core.log.warn({ removed }, "personas removed; channels that used them fall back to the server's default persona");
  for (const personaId of removed) {
    const guilds = ctx.core.memory.personaChoices.guildsUsing(personaId);
    for (const guildId of guilds.length > 0 ? guilds : [null]) {
      ctx.moderation.audit.record({
        guildId,
        channelId: null,
        actorId: ctx.client.user?.id ?? "masque",
        action: "persona.removed",
        targetId: null,
        details: { persona: personaId },
      });
    }
  }
}
