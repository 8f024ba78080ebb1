import { type Interaction, MessageFlags } from "discord.js";
import { commandsByName } from "../../commands/index.js";
import { COMMAND_APOLOGY } from "../../texts.js";
import type { BotContext } from "../context.js";

/** The command an interaction is for; a button's custom id starts with its command's name and a colon. */
function commandNameOf(interaction: Interaction): string | undefined {
  if (interaction.isChatInputCommand() || interaction.isAutocomplete()) return interaction.commandName;
  if (interaction.isButton()) return interaction.customId.split(":", 1)[0];
  return undefined;
}

/** Routes slash commands, autocomplete and button clicks to their command; unexpected errors become a short apology. */
export async function onInteractionCreate(interaction: Interaction, ctx: BotContext): Promise<void> {
  const name = commandNameOf(interaction);
  const command = name === undefined ? undefined : commandsByName.get(name);
  if (!command) return;
  const log = ctx.core.log.child({ command: name, guild: interaction.guildId ?? "dm", user: interaction.user.id });
  try {
    if (interaction.isAutocomplete()) await command.autocomplete?.(interaction, ctx);
    else if (interaction.isButton()) await command.button?.(interaction, ctx);
    else if (interaction.isChatInputCommand()) await command.execute(interaction, ctx);
  } catch (error) {
    log.error({ err: error }, "command failed");
    if (!interaction.isChatInputCommand() && !interaction.isButton()) return;
    const reply = { content: COMMAND_APOLOGY, flags: MessageFlags.Ephemeral } as const;
    try {
      if (interaction.replied || interaction.deferred) await interaction.followUp(reply);
      else await interaction.reply(reply);
    } catch (replyError) {
      log.warn({ err: replyError }, "could not send the apology");
    }
  }
}
