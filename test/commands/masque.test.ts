import { describe, expect, it } from "vitest";
import { commandsByName } from "../../src/commands/index.js";
import { masqueCommand } from "../../src/commands/masque/index.js";

/** Manage Server (1 << 5). */
const MANAGE_GUILD = String(1n << 5n);
const GUILD_CONTEXT = 0;
const SUBCOMMAND = 1;
const GROUP = 2;

describe("the /masque definition", () => {
  it("is listed, shown to Manage Server by default, and exists in servers only", () => {
    expect(commandsByName.get("masque")).toBe(masqueCommand);
    expect(masqueCommand.data.default_member_permissions).toBe(MANAGE_GUILD);
    expect(masqueCommand.data.contexts).toEqual([GUILD_CONTEXT]);
  });

  it("has every subcommand the admins need", () => {
    const names = (masqueCommand.data.options ?? []).flatMap((option) =>
      option.type === GROUP
        ? (option.options ?? []).map((sub) => `${option.name} ${sub.name}`)
        : option.type === SUBCOMMAND
          ? [option.name]
          : [],
    );
    expect(names).toEqual([
      "channel",
      "status",
      "block",
      "unblock",
      "blocked",
      "limits",
      "moderation",
      "webhooks",
      "filter add",
      "filter remove",
      "filter list",
      "audit",
      "log-channel",
      "admin-role",
      "threads",
      "bots allow",
      "bots deny",
      "bots list",
      "scenes",
      "notes",
    ]);
  });
});
