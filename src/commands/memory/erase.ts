import { ActionRowBuilder, ButtonBuilder, type ButtonInteraction, ButtonStyle, MessageFlags } from "discord.js";
import { conversationKey } from "../../discord/conversation.js";
import type { BotContext } from "../../discord/context.js";
import { forgetEverywhere, type ShardErasure, type ShardOutcome } from "../../discord/forget.js";
import { MEMORY_TEXTS } from "../../texts.js";
import { mayAdminister, refuseNonAdmin } from "../preconditions.js";
import type { Subcommand } from "../types.js";

/** A confirmation button works for this long after the command that showed it. */
export const CONFIRMATION_TTL_MS = 5 * 60_000;
export const COMMAND = "memory";
/** Button custom ids: `memory:<action>:<target>:<issued at, unix ms>`. */
const CLEAR = "clear";
const FORGET = "forget";
const CANCEL = "cancel";
/** Clearing a channel is for admins; a DM belongs to the one person in it. */
const CLEAR_RIGHTS = { allowInDm: true, hint: MEMORY_TEXTS.clearInDmHint } as const;

function confirmationButtons(action: string, target: string): ActionRowBuilder<ButtonBuilder> {
  const confirm = new ButtonBuilder()
    .setCustomId(`${COMMAND}:${action}:${target}:${Date.now()}`)
    .setLabel(MEMORY_TEXTS.deleteButton)
    .setStyle(ButtonStyle.Danger);
  const cancel = new ButtonBuilder()
    .setCustomId(`${COMMAND}:${CANCEL}`)
    .setLabel(MEMORY_TEXTS.cancelButton)
    .setStyle(ButtonStyle.Secondary);
  return new ActionRowBuilder<ButtonBuilder>().addComponents(confirm, cancel);
}

export const clear: Subcommand = {
  name: "clear",
  define: (sub) => sub.setDescription("Delete everything remembered in this channel (admins; in a DM, you)"),
  async run(interaction, ctx) {
    if (!mayAdminister(interaction, ctx, CLEAR_RIGHTS)) {
      await refuseNonAdmin(interaction, ctx, CLEAR_RIGHTS);
      return;
    }
    const key = conversationKey(interaction.channelId);
    const stored = ctx.core.memory.turns.count(key);
    if (stored === 0 && !ctx.core.memory.summaries.get(key)) {
      await interaction.reply({ content: MEMORY_TEXTS.nothingToClear, flags: MessageFlags.Ephemeral });
      return;
    }
    await interaction.reply({
      content: MEMORY_TEXTS.confirmClear(stored),
      components: [confirmationButtons(CLEAR, interaction.channelId)],
      flags: MessageFlags.Ephemeral,
    });
  },
};

export const forgetMe: Subcommand = {
  name: "forget-me",
  define: (sub) => sub.setDescription("Delete every message of yours the bot stored, in every channel and DM"),
  async run(interaction, ctx) {
    // With shards, this process holds only its own servers' memory: no count to give.
    const sharded = ctx.client.shard !== null;
    const stored = ctx.core.memory.turns.countByAuthor(interaction.user.id);
    if (stored === 0 && !sharded) {
      await interaction.reply({ content: MEMORY_TEXTS.nothingOfYours, flags: MessageFlags.Ephemeral });
      return;
    }
    await interaction.reply({
      content: MEMORY_TEXTS.confirmForget(sharded ? undefined : stored),
      components: [confirmationButtons(FORGET, interaction.user.id)],
      flags: MessageFlags.Ephemeral,
    });
  },
};

/** Deletes this channel's memory once the confirmation is clicked; admin rights are checked again. */
async function confirmClear(interaction: ButtonInteraction, ctx: BotContext, channelId: string): Promise<void> {
  if (!mayAdminister(interaction, ctx, CLEAR_RIGHTS) || channelId !== interaction.channelId) {
    await refuseNonAdmin(interaction, ctx, CLEAR_RIGHTS);
    return;
  }
  await interaction.deferUpdate();
  const key = conversationKey(channelId);
  // After replies in flight here, so none of their turns land after the clear.
  await ctx.conversations.settled(key);
  const erased = await ctx.core.memory.eraser.clearConversation(key);
  ctx.core.log.info(
    { guild: interaction.guildId, channel: channelId, by: interaction.user.id, turns: erased.turns },
    "memory cleared",
  );
  ctx.moderation.audit.record({
    guildId: interaction.guildId,
    channelId,
    actorId: interaction.user.id,
    action: "memory.clear",
    details: { turns: erased.turns },
  });
  await interaction.editReply({ content: MEMORY_TEXTS.cleared(erased.turns), components: [] });
}

/** What `/memory forget-me` erased, and where: per shard when there are several. */
export function forgetReport(outcomes: readonly ShardOutcome[], userId: string): string {
  const reached = outcomes.filter((o): o is ShardErasure => !("unreachable" in o));
  const sum = (field: "turns" | "replies" | "summaries") => reached.reduce((n, o) => n + o[field], 0);
  const lines = [MEMORY_TEXTS.forgotten(sum("turns"), sum("replies"))];
  if (outcomes.length > 1)
    lines.push(
      MEMORY_TEXTS.forgottenPerShard(
        reached.length,
        outcomes.length,
        reached.map((o) => MEMORY_TEXTS.shardErasure(o.shard, o.turns, o.replies)).join("; "),
      ),
    );
  if (sum("summaries") > 0) lines.push(MEMORY_TEXTS.summariesRebuilt(sum("summaries")));
  const missed = outcomes.filter((o) => "unreachable" in o).map((o) => o.shard);
  if (missed.length > 0) lines.push(MEMORY_TEXTS.shardsNotReached(missed, userId));
  return lines.join("\n");
}

/** Deletes everything the clicker wrote, on every shard, and the bot's replies to it. */
async function confirmForget(interaction: ButtonInteraction, ctx: BotContext, userId: string): Promise<void> {
  if (userId !== interaction.user.id) {
    await interaction.reply({ content: MEMORY_TEXTS.notYours, flags: MessageFlags.Ephemeral });
    return;
  }
  await interaction.deferUpdate();
  const outcomes = await forgetEverywhere(ctx, userId);
  await interaction.editReply({ content: forgetReport(outcomes, userId), components: [] });
}

/** A click on a confirmation button: cancel, expired, or do it (`then`, when given, does it for another kind of button). */
export async function button(
  interaction: ButtonInteraction,
  ctx: BotContext,
  then?: (interaction: ButtonInteraction, ctx: BotContext) => Promise<void>,
): Promise<void> {
  const [, action, target = "", issuedAt = "0"] = interaction.customId.split(":");
  if (action === CANCEL) {
    await interaction.update({ content: MEMORY_TEXTS.cancelled, components: [] });
    return;
  }
  if (Date.now() - Number(issuedAt) > CONFIRMATION_TTL_MS) {
    await interaction.update({ content: MEMORY_TEXTS.expired, components: [] });
    return;
  }
  if (then) await then(interaction, ctx);
  else if (action === CLEAR) await confirmClear(interaction, ctx, target);
  else if (action === FORGET) await confirmForget(interaction, ctx, target);
}
