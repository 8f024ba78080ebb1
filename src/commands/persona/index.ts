import { type AutocompleteInteraction, InteractionContextType, SlashCommandBuilder } from "discord.js";
import type { BotContext } from "../../discord/context.js";
import { commandOf } from "../types.js";
import { add, remove } from "./cast.js";
import { reset, set } from "./choose.js";
import { greet } from "./greet.js";
import { conversationHere } from "./here.js";
import { current, info, list } from "./view.js";

/** Discord shows at most 25 autocomplete choices. */
export const MAX_AUTOCOMPLETE_CHOICES = 25;
/** A choice's label is at most 100 characters. */
const MAX_CHOICE_NAME = 100;

/** Suggests personas whose id or name contains what was typed; for `remove`, only the cast's (also `/chat`'s persona option). */
export async function autocomplete(interaction: AutocompleteInteraction, ctx: BotContext): Promise<void> {
  const typed = interaction.options.getFocused().toLowerCase();
  const personas =
    interaction.options.getSubcommand(false) === "remove"
      ? ctx.core.engine.cast(conversationHere(interaction)).members.slice(1)
      : ctx.core.personas().list();
  const choices = personas
    .filter((p) => p.id.includes(typed) || p.name.toLowerCase().includes(typed))
    .slice(0, MAX_AUTOCOMPLETE_CHOICES)
    .map((p) => ({ name: `${p.name} (${p.id})`.slice(0, MAX_CHOICE_NAME), value: p.id }));
  await interaction.respond(choices);
}

/**
 * `/persona list|current|info|set|reset|greet|add|remove`. List, current and info are for
 * everyone, so the command cannot carry `default_member_permissions` (Discord sets it per
 * command, not per subcommand); the others are adminOnly, checked on every call.
 */
export const personaCommand = commandOf(
  new SlashCommandBuilder()
    .setName("persona")
    .setDescription("See and switch the bot's persona")
    .setContexts(InteractionContextType.Guild, InteractionContextType.BotDM),
  [list, current, info, set, reset, greet, add, remove],
  { autocomplete },
);
