import { type Interaction, MessageFlags } from "discord.js";
import { commandsByName } from "../../commands/index.js";
import type { BotContext } from "../context.js";

const APOLOGY = "Sorry, something went wrong on my side. The admins can find the details in the bot's log.";

/** Routes slash commands and autocomplete to their command; unexpected errors become a short apology. */
export async function onInteractionCreate(interaction: Interaction, ctx: BotContext): Promise<void> {
  if (!interaction.isChatInputCommand() && !interaction.isAutocomplete()) return;
  const command = commandsByName.get(interaction.commandName);
  if (!command) return;
  const log = ctx.core.log.child({ command: interaction.commandName, guild: interaction.guildId ?? "dm", user: interaction.user.id });
  try {
    if (interaction.isAutocomplete()) await command.autocomplete?.(interaction, ctx);
    else await command.execute(interaction, ctx);
  } catch (error) {
    log.error({ err: error }, "command failed");
    if (!interaction.isChatInputCommand()) return;
    const reply = { content: APOLOGY, flags: MessageFlags.Ephemeral } as const;
    try {
      if (interaction.replied || interaction.deferred) await interaction.followUp(reply);
      else await interaction.reply(reply);
    } catch (replyError) {
      log.warn({ err: replyError }, "could not send the apology");
    }
  }
}
