import { MessageFlags } from "discord.js";
import { conversationKey } from "../../discord/conversation.js";
import { SAFE_MENTIONS } from "../../discord/mentions.js";
import { MEMORY_TEXTS } from "../../texts.js";
import { conversationHere } from "../persona/here.js";
import { castLine } from "../persona/view.js";
import type { Subcommand } from "../types.js";

/** Keeps `/memory show` within one message. */
const MAX_SHOW_CHARS = 1900;
const MS_PER_SECOND = 1000;

export const show: Subcommand = {
  name: "show",
  define: (sub) => sub.setDescription("Show what is remembered in this channel (only you see it)"),
  async run(interaction, ctx) {
    const { memory, config } = ctx.core;
    const key = conversationKey(interaction.channelId);
    const stored = memory.turns.count(key);
    const summary = memory.summaries.get(key);
    if (stored === 0 && !summary) {
      await interaction.reply({ content: MEMORY_TEXTS.nothingStoredHere, flags: MessageFlags.Ephemeral });
      return;
    }
    const serverWide = interaction.guildId !== null && memory.recall.serverWide(interaction.guildId);
    const lines = [
      MEMORY_TEXTS.showHeading,
      MEMORY_TEXTS.showStored(stored),
      MEMORY_TEXTS.showRecall(serverWide),
      MEMORY_TEXTS.showKept(config.memoryRetentionDays),
    ];
    const { members } = ctx.core.engine.cast(conversationHere(interaction));
    if (members.length > 1) lines.push(castLine(members));
    if (summary) {
      lines.push(MEMORY_TEXTS.showSummary(Math.floor(summary.updatedAt / MS_PER_SECOND)));
      const room = MAX_SHOW_CHARS - lines.join("\n").length;
      const quoted = summary.content
        .split("\n")
        .map((line) => `> ${line}`)
        .join("\n");
      lines.push(quoted.length > room ? `${quoted.slice(0, room - 1)}…` : quoted);
    } else {
      lines.push(MEMORY_TEXTS.showNoSummary);
    }
    await interaction.reply({
      content: lines.join("\n"),
      flags: MessageFlags.Ephemeral,
      allowedMentions: SAFE_MENTIONS,
    });
  },
};
