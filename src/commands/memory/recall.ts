import { MessageFlags } from "discord.js";
import { MEMORY_TEXTS } from "../../texts.js";
import { adminOnly } from "../preconditions.js";
import type { Subcommand } from "../types.js";

export const recall: Subcommand = {
  name: "recall",
  define: (sub) =>
    sub
      .setDescription("Let recall bring back what was said in this server's other channels (admins)")
      .addBooleanOption((o) =>
        o
          .setName("server-wide")
          .setDescription("On: recall any channel of this server. Off: this channel only")
          .setRequired(true),
      ),
  async run(interaction, ctx) {
    if (!interaction.guildId) {
      await interaction.reply({ content: MEMORY_TEXTS.recallOutsideServer, flags: MessageFlags.Ephemeral });
      return;
    }
    await setRecall(interaction, ctx);
  },
};

const setRecall = adminOnly(async ({ interaction, ctx, guildId }) => {
  const on = interaction.options.getBoolean("server-wide", true);
  ctx.core.memory.recall.setServerWide(guildId, on, interaction.user.id);
  ctx.core.log.info({ guild: guildId, by: interaction.user.id, serverWide: on }, "recall scope set");
  ctx.moderation.audit.record({
    guildId,
    channelId: interaction.channelId,
    actorId: interaction.user.id,
    action: "recall.set",
    details: { serverWide: on },
  });
  // Said in the channel, not privately: people should know where their words may resurface.
  await interaction.reply({ content: MEMORY_TEXTS.recallSet(on) });
});
