import { InteractionContextType, SlashCommandBuilder } from "discord.js";
import { commandOf } from "../types.js";
import { button, COMMAND, clear, forgetMe } from "./erase.js";
import { recall } from "./recall.js";
import { show } from "./show.js";

export { CONFIRMATION_TTL_MS } from "./erase.js";

/**
 * `/memory show|clear|forget-me|recall`. Show and forget-me are for everyone, so the
 * command carries no `default_member_permissions`; clear and recall check admin rights in
 * code on every call, and clear checks again when its confirmation button is clicked.
 */
export const memoryCommand = commandOf(
  new SlashCommandBuilder()
    .setName(COMMAND)
    .setDescription("See and manage what the bot remembers")
    .setContexts(InteractionContextType.Guild, InteractionContextType.BotDM),
  [show, clear, forgetMe, recall],
  { button },
);
