import { NOTE_TEXTS } from "../../texts.js";
import { adminOnly } from "../preconditions.js";
import type { Subcommand } from "../types.js";
import { answer, audit } from "./shared.js";

const ON = "on";
const OFF = "off";

/** `/masque notes on|off`: whether the note pass keeps people notes in this server (default off). */
export const notes: Subcommand = {
  name: "notes",
  define: (sub) =>
    sub
      .setDescription("Keep short notes about each person from their own messages (default off)")
      .addStringOption((o) =>
        o
          .setName("state")
          .setDescription("on or off")
          .setRequired(true)
          .addChoices({ name: ON, value: ON }, { name: OFF, value: OFF }),
      ),
  run: adminOnly(async (call) => {
    const { interaction, ctx, guildId } = call;
    const on = interaction.options.getString("state", true) === ON;
    ctx.core.memory.serverSettings.guild.update(guildId, { personNotes: on }, interaction.user.id);
    audit(call, "notes.set", null, { on });
    await answer(call, NOTE_TEXTS.serverSet(on));
  }),
};
