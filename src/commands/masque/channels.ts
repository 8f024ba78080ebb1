import { PermissionFlagsBits } from "discord.js";
import { isChannelOfServer } from "../../discord/channels.js";
import type { BotContext } from "../../discord/context.js";
import { stopScenesSilenced } from "../../discord/scenes.js";
import { CHANNEL_MODES, type ChannelMode } from "../../memory/channel-modes.js";
import { describeMode, describeModeSource, MASQUE_TEXTS, SCENE_TEXTS } from "../../texts.js";
import { adminOnly } from "../preconditions.js";
import type { Subcommand } from "../types.js";
import { answer, audit, DEFAULT_CHOICE, TEXT_CHANNELS } from "./shared.js";

function parentIdOf(ctx: BotContext, channelId: string): string | null {
  const channel = ctx.client.channels.cache.get(channelId);
  return channel?.isThread() ? channel.parentId : null;
}

export const channel: Subcommand = {
  name: "channel",
  define: (sub) =>
    sub
      .setDescription("Where I speak: off, mention (default) or auto, for this channel or another")
      .addStringOption((o) =>
        o
          .setName("mode")
          .setDescription("off: ignore it; mention: mentions and replies; auto: every message")
          .setRequired(true)
          .addChoices(...CHANNEL_MODES.map((mode) => ({ name: mode, value: mode })), {
            name: "default (follow the parent channel, or mention)",
            value: DEFAULT_CHOICE,
          }),
      )
      .addChannelOption((o) =>
        o
          .setName("channel")
          .setDescription("Default: this channel")
          .addChannelTypes(...TEXT_CHANNELS),
      ),
  run: adminOnly(async (call) => {
    const { interaction, ctx, guildId } = call;
    const store = ctx.core.memory.serverSettings;
    const choice = interaction.options.getString("mode", true);
    const channelId = interaction.options.getChannel("channel")?.id ?? interaction.channelId;
    if (channelId !== interaction.channelId && !(await isChannelOfServer(ctx, channelId, guildId))) {
      await answer(call, MASQUE_TEXTS.notThisServer(channelId));
      return;
    }
    let changed = true;
    if (choice === DEFAULT_CHOICE) changed = store.channelModes.clear(channelId);
    else store.channelModes.set(guildId, channelId, choice as ChannelMode, interaction.user.id);
    if (changed) audit(call, "channel.mode", channelId, { mode: choice });
    const silenced = stopScenesSilenced(ctx, channelId);
    for (const scene of silenced)
      audit(call, "scene.stop", scene.spec.conversation.channelId ?? null, { topic: scene.spec.topic, mode: "off" });
    const { mode, source } = ctx.moderation.policy.channelMode(channelId, parentIdOf(ctx, channelId));
    const gap = ctx.moderation.policy.limits(guildId).autoGapSeconds;
    const told = MASQUE_TEXTS.channelMode(channelId, mode, describeModeSource(source), describeMode(mode, gap));
    await answer(call, silenced.length > 0 ? `${told}\n${SCENE_TEXTS.stoppedByChannelOff(silenced.length)}` : told);
  }),
};

export const webhooks: Subcommand = {
  name: "webhooks",
  define: (sub) =>
    sub
      .setDescription("Reply under each persona's own name and avatar (needs Manage Webhooks)")
      .addStringOption((o) =>
        o
          .setName("use")
          .setDescription("on, off, or default (PERSONA_WEBHOOKS)")
          .setRequired(true)
          .addChoices(
            { name: "on", value: "on" },
            { name: "off", value: "off" },
            { name: "default", value: DEFAULT_CHOICE },
          ),
      ),
  run: adminOnly(async (call) => {
    const { interaction, ctx, guildId } = call;
    const choice = interaction.options.getString("use", true);
    const personaWebhooks = choice === DEFAULT_CHOICE ? undefined : choice === "on";
    ctx.core.memory.serverSettings.guild.update(guildId, { personaWebhooks }, interaction.user.id);
    audit(call, "webhooks.set", null, { use: choice });
    await answer(
      call,
      MASQUE_TEXTS.webhooks(ctx.moderation.policy.personaWebhooks(guildId), personaWebhooks === undefined),
    );
  }),
};

export const logChannel: Subcommand = {
  name: "log-channel",
  define: (sub) =>
    sub.setDescription("Post new audit entries in a channel; leave empty to stop").addChannelOption((o) =>
      o
        .setName("channel")
        .setDescription("Where to post them")
        .addChannelTypes(...TEXT_CHANNELS),
    ),
  run: adminOnly(async (call) => {
    const { interaction, ctx, guildId } = call;
    const channelId = interaction.options.getChannel("channel")?.id;
    if (channelId && !(await isChannelOfServer(ctx, channelId, guildId))) {
      await answer(call, MASQUE_TEXTS.notThisServer(channelId));
      return;
    }
    if (channelId) {
      const target = ctx.client.channels.cache.get(channelId);
      const me = interaction.guild?.members.me;
      if (
        target &&
        !target.isDMBased() &&
        me &&
        !me.permissionsIn(target).has([PermissionFlagsBits.ViewChannel, PermissionFlagsBits.SendMessages])
      ) {
        await answer(call, MASQUE_TEXTS.cannotPostIn(channelId));
        return;
      }
    }
    ctx.core.memory.serverSettings.guild.update(guildId, { logChannelId: channelId }, interaction.user.id);
    audit(call, "log_channel.set", channelId ?? null);
    await answer(call, MASQUE_TEXTS.logChannelSet(channelId));
  }),
};
