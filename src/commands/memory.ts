import {
  ActionRowBuilder,
  ButtonBuilder,
  type ButtonInteraction,
  ButtonStyle,
  type ChatInputCommandInteraction,
  type Interaction,
  InteractionContextType,
  MessageFlags,
  SlashCommandBuilder,
} from "discord.js";
import { conversationKey } from "../discord/conversation.js";
import type { BotContext } from "../discord/context.js";
import { forgetEverywhere, type ShardErasure, type ShardOutcome } from "../discord/forget.js";
import { SAFE_MENTIONS } from "../discord/mentions.js";
import { isServerAdmin } from "../moderation/permissions.js";
import type { SlashCommand } from "./types.js";

/** A confirmation button works for this long after the command that showed it. */
export const CONFIRMATION_TTL_MS = 5 * 60_000;
/** Keeps `/memory show` within one message. */
const MAX_SHOW_CHARS = 1900;

const COMMAND = "memory";
/** Button custom ids: `memory:<action>:<target>:<issued at, unix ms>`. */
const CLEAR = "clear";
const FORGET = "forget";
const CANCEL = "cancel";

export const NOT_ADMIN_CLEAR =
  "Only server admins can clear a channel's memory: you need the Manage Server permission or a Masque admin role. To delete only your own messages, use `/memory forget-me`.";
export const NOT_ADMIN_RECALL = "Only server admins can change recall: you need the Manage Server permission or a Masque admin role.";
const RECALL_OUTSIDE_SERVER = "Server-wide recall is a server setting; use this command in a channel of the server.";
const CANCELLED = "Cancelled; nothing was deleted.";
const EXPIRED = "This confirmation has expired; nothing was deleted. Run the command again.";
const NOT_YOURS = "Only the person who asked can confirm this.";

const data = new SlashCommandBuilder()
  .setName(COMMAND)
  .setDescription("See and manage what the bot remembers")
  .setContexts(InteractionContextType.Guild, InteractionContextType.BotDM)
  .addSubcommand((sub) => sub.setName("show").setDescription("Show what is remembered in this channel (only you see it)"))
  .addSubcommand((sub) => sub.setName("clear").setDescription("Delete everything remembered in this channel (admins; in a DM, you)"))
  .addSubcommand((sub) => sub.setName("forget-me").setDescription("Delete every message of yours the bot stored, in every channel and DM"))
  .addSubcommand((sub) =>
    sub
      .setName("recall")
      .setDescription("Let recall bring back what was said in this server's other channels (admins)")
      .addBooleanOption((o) => o.setName("server-wide").setDescription("On: recall any channel of this server. Off: this channel only").setRequired(true)),
  );

/** Clearing a channel is for admins; a DM belongs to the one person in it. */
function mayClear(interaction: Interaction, ctx: BotContext): boolean {
  return interaction.inGuild() ? isServerAdmin(interaction, ctx.config.adminRoleIds, ctx.core.memory.moderation) : true;
}

function confirmationButtons(action: string, target: string): ActionRowBuilder<ButtonBuilder> {
  const confirm = new ButtonBuilder().setCustomId(`${COMMAND}:${action}:${target}:${Date.now()}`).setLabel("Delete").setStyle(ButtonStyle.Danger);
  const cancel = new ButtonBuilder().setCustomId(`${COMMAND}:${CANCEL}`).setLabel("Cancel").setStyle(ButtonStyle.Secondary);
  return new ActionRowBuilder<ButtonBuilder>().addComponents(confirm, cancel);
}

const plural = (n: number, one: string, many: string) => `${n.toLocaleString("en-US")} ${n === 1 ? one : many}`;

async function show(interaction: ChatInputCommandInteraction, ctx: BotContext): Promise<void> {
  const { memory, config } = ctx.core;
  const key = conversationKey(interaction.channelId);
  const stored = memory.turns.count(key);
  const summary = memory.summaries.get(key);
  if (stored === 0 && !summary) {
    await interaction.reply({ content: "I have nothing stored for this channel.", flags: MessageFlags.Ephemeral });
    return;
  }
  const serverWide = interaction.guildId !== null && memory.recall.serverWide(interaction.guildId);
  const lines = [
    "**What I remember here**",
    `Stored: ${plural(stored, "message", "messages")} in this channel (what people said and my replies).`,
    `Recall: ${serverWide ? "any channel of this server (server-wide recall is on)" : "this channel only"}.`,
    `Kept: ${config.memoryRetentionDays === undefined ? "until deleted" : `for ${plural(config.memoryRetentionDays, "day", "days")}`}.`,
  ];
  if (summary) {
    lines.push(`Summary of the earlier conversation (updated <t:${Math.floor(summary.updatedAt / 1000)}:R>):`);
    const head = lines.join("\n");
    const room = MAX_SHOW_CHARS - head.length;
    const quoted = summary.content
      .split("\n")
      .map((line) => `> ${line}`)
      .join("\n");
    lines.push(quoted.length > room ? `${quoted.slice(0, room - 1)}…` : quoted);
  } else {
    lines.push("No summary yet: the conversation is still short enough to remember word for word.");
  }
  await interaction.reply({ content: lines.join("\n"), flags: MessageFlags.Ephemeral, allowedMentions: SAFE_MENTIONS });
}

async function clear(interaction: ChatInputCommandInteraction, ctx: BotContext): Promise<void> {
  if (!mayClear(interaction, ctx)) {
    await interaction.reply({ content: NOT_ADMIN_CLEAR, flags: MessageFlags.Ephemeral });
    return;
  }
  const key = conversationKey(interaction.channelId);
  const stored = ctx.core.memory.turns.count(key);
  if (stored === 0 && !ctx.core.memory.summaries.get(key)) {
    await interaction.reply({ content: "There is nothing stored for this channel.", flags: MessageFlags.Ephemeral });
    return;
  }
  await interaction.reply({
    content: `Delete the ${plural(stored, "message", "messages")} stored for this channel, and its summary? This cannot be undone.`,
    components: [confirmationButtons(CLEAR, interaction.channelId)],
    flags: MessageFlags.Ephemeral,
  });
}

async function forgetMe(interaction: ChatInputCommandInteraction, ctx: BotContext): Promise<void> {
  // With shards, this process holds only its own servers' memory: no count to give.
  const sharded = ctx.client.shard !== null;
  const stored = ctx.core.memory.turns.countByAuthor(interaction.user.id);
  if (stored === 0 && !sharded) {
    await interaction.reply({ content: "I have no stored messages of yours.", flags: MessageFlags.Ephemeral });
    return;
  }
  await interaction.reply({
    content:
      `Delete ${sharded ? "every message" : `the ${plural(stored, "message", "messages")}`} of yours I stored, in every server, channel and DM, and my replies to them? ` +
      "Summaries that drew on them are deleted too and rebuilt without them. This cannot be undone.",
    components: [confirmationButtons(FORGET, interaction.user.id)],
    flags: MessageFlags.Ephemeral,
  });
}

async function recall(interaction: ChatInputCommandInteraction, ctx: BotContext): Promise<void> {
  if (!interaction.guildId) {
    await interaction.reply({ content: RECALL_OUTSIDE_SERVER, flags: MessageFlags.Ephemeral });
    return;
  }
  if (!isServerAdmin(interaction, ctx.config.adminRoleIds, ctx.core.memory.moderation)) {
    await interaction.reply({ content: NOT_ADMIN_RECALL, flags: MessageFlags.Ephemeral });
    return;
  }
  const on = interaction.options.getBoolean("server-wide", true);
  ctx.core.memory.recall.setServerWide(interaction.guildId, on, interaction.user.id);
  ctx.core.log.info({ guild: interaction.guildId, by: interaction.user.id, serverWide: on }, "recall scope set");
  ctx.moderation.audit.record({ guildId: interaction.guildId, channelId: interaction.channelId, actorId: interaction.user.id, action: "recall.set", details: { serverWide: on } });
  // Said in the channel, not privately: people should know where their words may resurface.
  await interaction.reply({
    content: on
      ? "Server-wide recall is **on**: when someone asks about the past, I may bring back what was said in any channel of this server where I took part, private channels and threads included."
      : "Server-wide recall is **off**: I only recall what was said in the same channel.",
  });
}

/** Deletes this channel's memory once the confirmation is clicked; admin rights are checked again. */
async function confirmClear(interaction: ButtonInteraction, ctx: BotContext, channelId: string): Promise<void> {
  if (!mayClear(interaction, ctx) || channelId !== interaction.channelId) {
    await interaction.update({ content: NOT_ADMIN_CLEAR, components: [] });
    return;
  }
  await interaction.deferUpdate();
  const key = conversationKey(channelId);
  // After replies in flight here, so none of their turns land after the clear.
  await ctx.conversations.settled(key);
  const erased = await ctx.core.memory.eraser.clearConversation(key);
  ctx.core.log.info({ guild: interaction.guildId, channel: channelId, by: interaction.user.id, turns: erased.turns }, "memory cleared");
  ctx.moderation.audit.record({ guildId: interaction.guildId, channelId, actorId: interaction.user.id, action: "memory.clear", details: { turns: erased.turns } });
  await interaction.editReply({ content: `Done: deleted ${plural(erased.turns, "message", "messages")} and the summary of this channel.`, components: [] });
}

/** What `/memory forget-me` erased, and where: per shard when there are several. */
export function forgetReport(outcomes: readonly ShardOutcome[], userId: string): string {
  const reached = outcomes.filter((o): o is ShardErasure => !("unreachable" in o));
  const turns = reached.reduce((n, o) => n + o.turns, 0);
  const replies = reached.reduce((n, o) => n + o.replies, 0);
  const summaries = reached.reduce((n, o) => n + o.summaries, 0);
  const lines = [`Done: deleted ${plural(turns, "message", "messages")} of yours and ${plural(replies, "reply", "replies")} of mine to them.`];
  if (outcomes.length > 1) {
    const where = reached.map((o) => `shard ${o.shard}${o.shard === 0 ? " (with DMs)" : ""}: ${o.turns} + ${o.replies}`).join("; ");
    lines.push(`Erased from the memory of ${reached.length} of ${outcomes.length} shards (yours + my replies): ${where}.`);
  }
  if (summaries > 0) lines.push(`${plural(summaries, "summary", "summaries")} that drew on them will be rebuilt without them.`);
  const missed = outcomes.filter((o) => "unreachable" in o).map((o) => o.shard);
  if (missed.length > 0) {
    lines.push(
      `**Not reached: shard ${missed.join(", ")}** (on another machine, or restarting), so nothing was deleted there yet. ` +
        `Try again in a minute, or ask the bot's operator to run \`npm run forget -- ${userId}\` where those shards' files are.`,
    );
  }
  return lines.join("\n");
}

/** Deletes everything the clicker wrote, on every shard, and the bot's replies to it. */
async function confirmForget(interaction: ButtonInteraction, ctx: BotContext, userId: string): Promise<void> {
  if (userId !== interaction.user.id) {
    await interaction.reply({ content: NOT_YOURS, flags: MessageFlags.Ephemeral });
    return;
  }
  await interaction.deferUpdate();
  const outcomes = await forgetEverywhere(ctx, userId);
  await interaction.editReply({ content: forgetReport(outcomes, userId), components: [] });
}

async function button(interaction: ButtonInteraction, ctx: BotContext): Promise<void> {
  const [, action, target = "", issuedAt = "0"] = interaction.customId.split(":");
  if (action === CANCEL) {
    await interaction.update({ content: CANCELLED, components: [] });
    return;
  }
  if (Date.now() - Number(issuedAt) > CONFIRMATION_TTL_MS) {
    await interaction.update({ content: EXPIRED, components: [] });
    return;
  }
  if (action === CLEAR) await confirmClear(interaction, ctx, target);
  else if (action === FORGET) await confirmForget(interaction, ctx, target);
}

const SUBCOMMANDS: Record<string, (interaction: ChatInputCommandInteraction, ctx: BotContext) => Promise<void>> = {
  show,
  clear,
  "forget-me": forgetMe,
  recall,
};

/**
 * `/memory show|clear|forget-me|recall`. Show and forget-me are for everyone, so the
 * command carries no `default_member_permissions`; clear and recall check admin rights in
 * code on every call, and clear checks again when its confirmation button is clicked.
 */
export const memoryCommand: SlashCommand = {
  data: data.toJSON(),
  async execute(interaction, ctx) {
    const handler = SUBCOMMANDS[interaction.options.getSubcommand()];
    if (handler) await handler(interaction, ctx);
  },
  button,
};
