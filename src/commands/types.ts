import type {
  AutocompleteInteraction,
  ButtonInteraction,
  ChatInputCommandInteraction,
  RESTPostAPIChatInputApplicationCommandsJSONBody,
} from "discord.js";
import type { BotContext } from "../discord/context.js";

/** One slash command: its definition (as registered with Discord) and its handlers. */
export interface SlashCommand {
  readonly data: RESTPostAPIChatInputApplicationCommandsJSONBody;
  execute(interaction: ChatInputCommandInteraction, ctx: BotContext): Promise<void>;
  autocomplete?(interaction: AutocompleteInteraction, ctx: BotContext): Promise<void>;
  /** Clicks on the command's buttons, whose custom ids start with `<command name>:`. */
  button?(interaction: ButtonInteraction, ctx: BotContext): Promise<void>;
}

