import { type ButtonInteraction, type ChatInputCommandInteraction, type Interaction, MessageFlags } from "discord.js";
import type { BotContext } from "../discord/context.js";
import { isServerAdmin } from "../moderation/permissions.js";
import { notAdmin } from "../texts.js";
import type { SubcommandHandler } from "./types.js";

/** A call that passed adminOnly in a server. */
export interface AdminCall {
  readonly interaction: ChatInputCommandInteraction;
  readonly ctx: BotContext;
  readonly guildId: string;
}

export interface AdminOnlyOptions {
  /** In a DM, the person in it may act too (it is their conversation); otherwise DMs are refused. */
  readonly allowInDm?: boolean;
  /** What a refused person can do instead, added to the refusal. */
  readonly hint?: string;
}

/**
 * Whether the person may run an admin action here: Manage Server or a Masque admin role
 * (ADMIN_ROLE_IDS or `/masque admin-role`). Checked in code on every call; a command's
 * visibility in the client is only a convenience.
 */
export function mayAdminister(interaction: Interaction, ctx: BotContext, options: AdminOnlyOptions = {}): boolean {
  if (!interaction.inGuild()) return options.allowInDm === true;
  return isServerAdmin(interaction, ctx.config.adminRoleIds, ctx.core.memory.serverSettings.adminRoles);
}

/** Refuses an admin action, privately, in the one wording; logged, and nothing changed. */
export async function refuseNonAdmin(
  interaction: ChatInputCommandInteraction | ButtonInteraction,
  ctx: BotContext,
  options: AdminOnlyOptions = {},
): Promise<void> {
  ctx.core.log.info(
    {
      guild: interaction.guildId ?? "dm",
      user: interaction.user.id,
      command: interaction.isButton() ? interaction.customId : interaction.commandName,
    },
    "refused an admin action to a non-admin",
  );
  const content = notAdmin(options.hint);
  if (interaction.isButton()) await interaction.update({ content, components: [] });
  else await interaction.reply({ content, flags: MessageFlags.Ephemeral });
}

/** The precondition of every admin subcommand: runs `run` for admins in a server, refuses everyone else. */
export function adminOnly(
  run: (call: AdminCall) => Promise<void>,
  options: Omit<AdminOnlyOptions, "allowInDm"> = {},
): SubcommandHandler {
  return async (interaction, ctx) => {
    if (!interaction.inGuild() || !mayAdminister(interaction, ctx)) {
      await refuseNonAdmin(interaction, ctx, options);
      return;
    }
    await run({ interaction, ctx, guildId: interaction.guildId });
  };
}
