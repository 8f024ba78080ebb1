import { type ChatInputCommandInteraction, SlashCommandBuilder } from "discord.js";
import { describe, expect, it } from "vitest";
import { commandOf } from "../../src/commands/types.js";
import type { BotContext } from "../../src/discord/context.js";

/** Discord's option types: 1 a subcommand, 2 a group (https://discord.com/developers/docs/interactions/application-commands#application-command-object-application-command-option-type). */
const SUBCOMMAND = 1;
const GROUP = 2;

/** Only what routing reads of a slash command interaction. */
function called(sub: string, group: string | null = null): ChatInputCommandInteraction {
  return {
    commandName: "demo",
    options: { getSubcommand: () => sub, getSubcommandGroup: () => group },
  } as unknown as ChatInputCommandInteraction;
}

describe("commandOf", () => {
  const ran: string[] = [];
  const command = commandOf(new SlashCommandBuilder().setName("demo").setDescription("A demo"), [
    { name: "one", define: (sub) => sub.setDescription("First"), run: async () => void ran.push("one") },
    {
      group: "more",
      description: "More",
      subcommands: [
        { name: "two", define: (sub) => sub.setDescription("Second"), run: async () => void ran.push("more two") },
      ],
    },
  ]);
  const ctx = {} as BotContext;

  it("defines each subcommand and group from the table", () => {
    expect(command.data.options).toEqual([
      { type: SUBCOMMAND, name: "one", description: "First", options: [] },
      {
        type: GROUP,
        name: "more",
        description: "More",
        options: [{ type: SUBCOMMAND, name: "two", description: "Second", options: [] }],
      },
    ]);
  });

  it("routes each call to the handler defined with it", async () => {
    await command.execute(called("one"), ctx);
    await command.execute(called("two", "more"), ctx);
    expect(ran).toEqual(["one", "more two"]);
  });

  it("throws on a call no handler answers, instead of doing nothing", async () => {
    await expect(command.execute(called("three"), ctx)).rejects.toThrow('/demo has no handler for "three"');
    await expect(command.execute(called("one", "more"), ctx)).rejects.toThrow('/demo has no handler for "more one"');
  });
});
