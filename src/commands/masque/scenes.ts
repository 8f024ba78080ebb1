import { SCENE_TEXTS } from "../../texts.js";
import { adminOnly } from "../preconditions.js";
import type { Subcommand } from "../types.js";
import { answer, audit } from "./shared.js";

/** `/masque scenes on|off`: whether admins may start scenes in this server (on unless turned off). */
export const scenes: Subcommand = {
  name: "scenes",
  define: (sub) =>
    sub
      .setDescription("Allow scenes, where the cast talks among themselves (on by default)")
      .addStringOption((o) =>
        o
          .setName("allow")
          .setDescription("on or off")
          .setRequired(true)
          .addChoices({ name: "on", value: "on" }, { name: "off", value: "off" }),
      ),
  run: adminOnly(async (call) => {
    const { interaction, ctx, guildId } = call;
    const on = interaction.options.getString("allow", true) === "on";
    ctx.core.memory.serverSettings.guild.update(guildId, { scenes: on }, interaction.user.id);
    audit(call, "scenes.set", null, { allow: on ? "on" : "off" });
    await answer(call, SCENE_TEXTS.setting(ctx.moderation.policy.scenesAllowed(guildId)));
  }),
};
