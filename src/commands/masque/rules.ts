import { DISCORD_MESSAGE_LIMIT } from "../../discord/split.js";
import { MODERATION_PROVIDERS, type ModerationProvider } from "../../memory/guild-settings.js";
import { MAX_AUTO_GAP_SECONDS, MAX_RATE_MESSAGES, MAX_RATE_WINDOW_SECONDS } from "../../moderation/policy.js";
import { describeLimits, describeProvider, describeStatus, MASQUE_TEXTS } from "../../texts.js";
import { adminOnly } from "../preconditions.js";
import type { Subcommand } from "../types.js";
import { answer, audit, DEFAULT_CHOICE, fitLines } from "./shared.js";

export const status: Subcommand = {
  name: "status",
  define: (sub) => sub.setDescription("This server's Masque settings at a glance"),
  run: adminOnly(async (call) => {
    const { ctx, guildId } = call;
    const store = ctx.core.memory.serverSettings;
    const { policy } = ctx.moderation;
    const { slots } = ctx.traffic;
    const { provider, isServerChoice } = policy.provider(guildId);
    const settings = store.guild.get(guildId);
    const lines = describeStatus({
      channelModes: store.channelModes.list(guildId),
      limits: policy.limits(guildId),
      provider,
      providerIsServerChoice: isServerChoice,
      blockedWords: store.blockedWords.list(guildId).length,
      blockedUsers: store.blockedUsers.list(guildId).length,
      adminRoles: store.adminRoles.list(guildId),
      configuredAdminRoles: ctx.config.adminRoleIds,
      logChannelId: settings.logChannelId,
      personaWebhooks: policy.personaWebhooks(guildId),
      personaWebhooksIsServerChoice: settings.personaWebhooks !== undefined,
      ensemble: {
        scenes: policy.scenesAllowed(guildId),
        threadsOnMention: policy.threadsOnMention(guildId),
        allowedBots: ctx.core.memory.allowedBots.list(guildId).length,
      },
      personNotes: ctx.core.memory.personNotes.serverKeeps(guildId),
      modelCalls: { active: slots.active, max: slots.maxActive, waiting: slots.waiting, maxWaiting: slots.maxWaiting },
    });
    await answer(call, fitLines(MASQUE_TEXTS.statusHeading, lines, DISCORD_MESSAGE_LIMIT));
  }),
};

export const limits: Subcommand = {
  name: "limits",
  define: (sub) =>
    sub
      .setDescription("Show or change how much each person may ask")
      .addIntegerOption((o) =>
        o
          .setName("messages")
          .setDescription("Messages per person per window")
          .setMinValue(1)
          .setMaxValue(MAX_RATE_MESSAGES),
      )
      .addIntegerOption((o) =>
        o
          .setName("per_seconds")
          .setDescription("The window, in seconds")
          .setMinValue(1)
          .setMaxValue(MAX_RATE_WINDOW_SECONDS),
      )
      .addIntegerOption((o) =>
        o
          .setName("auto_gap_seconds")
          .setDescription("Least time between my replies in auto channels")
          .setMinValue(0)
          .setMaxValue(MAX_AUTO_GAP_SECONDS),
      ),
  run: adminOnly(async (call) => {
    const { interaction, ctx, guildId } = call;
    const { options } = interaction;
    const given = {
      rateMessages: options.getInteger("messages"),
      rateWindowSeconds: options.getInteger("per_seconds"),
      autoGapSeconds: options.getInteger("auto_gap_seconds"),
    };
    // Only the options given change; a key left out keeps its value.
    const patch: Partial<Record<keyof typeof given, number>> = Object.fromEntries(
      Object.entries(given).filter(([, value]) => value !== null),
    );
    if (Object.keys(patch).length === 0) {
      await answer(call, MASQUE_TEXTS.limitsHere(describeLimits(ctx.moderation.policy.limits(guildId))));
      return;
    }
    ctx.core.memory.serverSettings.guild.update(guildId, patch, interaction.user.id);
    audit(call, "limits.set", null, patch);
    await answer(call, MASQUE_TEXTS.limitsChanged(describeLimits(ctx.moderation.policy.limits(guildId))));
  }),
};

/** `/masque moderation`: the content checks by the model provider's moderation endpoint. */
export const contentChecks: Subcommand = {
  name: "moderation",
  define: (sub) =>
    sub.setDescription("Content checks by the model provider: off, openai, or the bot's default").addStringOption((o) =>
      o
        .setName("provider")
        .setDescription("openai uses the provider's moderation endpoint")
        .setRequired(true)
        .addChoices(...MODERATION_PROVIDERS.map((p) => ({ name: p, value: p })), {
          name: "default (the bot's MODERATION setting)",
          value: DEFAULT_CHOICE,
        }),
    ),
  run: adminOnly(async (call) => {
    const { interaction, ctx, guildId } = call;
    const choice = interaction.options.getString("provider", true);
    const provider = choice === DEFAULT_CHOICE ? undefined : (choice as ModerationProvider);
    ctx.core.memory.serverSettings.guild.update(guildId, { moderation: provider }, interaction.user.id);
    audit(call, "moderation.set", null, { provider: choice });
    const effective = ctx.moderation.policy.provider(guildId);
    const words = ctx.core.memory.serverSettings.blockedWords.list(guildId).length;
    await answer(call, MASQUE_TEXTS.contentChecks(describeProvider(effective.provider), provider === undefined, words));
  }),
};
