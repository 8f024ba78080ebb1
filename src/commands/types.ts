import type {
  AutocompleteInteraction,
  ButtonInteraction,
  ChatInputCommandInteraction,
  RESTPostAPIChatInputApplicationCommandsJSONBody,
  SlashCommandBuilder,
  SlashCommandSubcommandBuilder,
  SlashCommandSubcommandsOnlyBuilder,
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

export type SubcommandHandler = (interaction: ChatInputCommandInteraction, ctx: BotContext) => Promise<void>;

/** A subcommand: its definition and its handler together, so the two cannot disagree on its name. */
export interface Subcommand {
  readonly name: string;
  /** Sets the description and options (the name is set from `name`). */
  readonly define: (sub: SlashCommandSubcommandBuilder) => SlashCommandSubcommandBuilder;
  readonly run: SubcommandHandler;
}

/** A subcommand group such as `/masque filter add|remove|list`. */
export interface SubcommandGroup {
  readonly group: string;
  readonly description: string;
  readonly subcommands: readonly Subcommand[];
}

type Builder = SlashCommandBuilder | SlashCommandSubcommandsOnlyBuilder;

/** Adds each subcommand and group to `builder`, and returns the handlers by route ("sub" or "group sub"). */
function register(
  builder: Builder,
  entries: readonly (Subcommand | SubcommandGroup)[],
): Map<string, SubcommandHandler> {
  const routes = new Map<string, SubcommandHandler>();
  for (const entry of entries) {
    if ("group" in entry) {
      builder.addSubcommandGroup((group) => {
        group.setName(entry.group).setDescription(entry.description);
        for (const sub of entry.subcommands) group.addSubcommand((s) => sub.define(s.setName(sub.name)));
        return group;
      });
      for (const sub of entry.subcommands) routes.set(`${entry.group} ${sub.name}`, sub.run);
    } else {
      builder.addSubcommand((s) => entry.define(s.setName(entry.name)));
      routes.set(entry.name, entry.run);
    }
  }
  return routes;
}

/**
 * A slash command made of subcommands: the definition is built from the same table that
 * routes the calls, and a call no handler answers is an error, never silently ignored.
 */
export function commandOf(
  builder: Builder,
  entries: readonly (Subcommand | SubcommandGroup)[],
  extra: Pick<SlashCommand, "autocomplete" | "button"> = {},
): SlashCommand {
  const routes = register(builder, entries);
  return {
    data: builder.toJSON(),
    async execute(interaction, ctx) {
      const group = interaction.options.getSubcommandGroup(false);
      const sub = interaction.options.getSubcommand();
      const route = group ? `${group} ${sub}` : sub;
      const run = routes.get(route);
      if (!run) throw new Error(`/${interaction.commandName} has no handler for "${route}"`);
      await run(interaction, ctx);
    },
    ...extra,
  };
}
