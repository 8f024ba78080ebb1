import { InteractionContextType, SlashCommandBuilder } from "discord.js";
import { commandOf } from "../types.js";
import type { ButtonInteraction } from "discord.js";
import type { BotContext } from "../../discord/context.js";
import { button as eraseButton, COMMAND, clear, forgetMe } from "./erase.js";
import { isNoteButton, me, noteButton } from "./me.js";
import { recall } from "./recall.js";
import { show } from "./show.js";

export { CONFIRMATION_TTL_MS } from "./erase.js";

/** A click on one of the command's buttons: `/memory me`'s, or a confirmation (which also checks every button's expiry). */
async function button(interaction: ButtonInteraction, ctx: BotContext): Promise<void> {
  await eraseButton(interaction, ctx, isNoteButton(interaction.customId.split(":")[1]) ? noteButton : undefined);
}

/**
 * `/memory show|me|clear|forget-me|recall`. Show, me and forget-me are for everyone, so the
 * command carries no `default_member_permissions`; clear and recall check admin rights in
 * code on every call, and clear checks again when its confirmation button is clicked.
 */
export const memoryCommand = commandOf(
  new SlashCommandBuilder()
    .setName(COMMAND)
    .setDescription("See and manage what the bot remembers")
    .setContexts(InteractionContextType.Guild, InteractionContextType.BotDM),
  [show, me, clear, forgetMe, recall],
  { button },
);
