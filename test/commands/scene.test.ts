import { describe, expect, it } from "vitest";
import { commandsByName } from "../../src/commands/index.js";
import { pickCast, sceneCommand } from "../../src/commands/scene/index.js";
import { testPersona } from "../helpers/personas.js";

/** Manage Server (1 << 5). */
const MANAGE_GUILD = String(1n << 5n);
const GUILD_CONTEXT = 0;

const QUILL = testPersona({ id: "quill", name: "Captain Quill", aliases: ["Quill"] });
const WREN = testPersona({ id: "bard", name: "Wren the Bard", aliases: ["Wren"] });
const THEO = testPersona({ id: "tutor", name: "Professor Theo" });
const CAST = [QUILL, WREN, THEO];

describe("the /scene definition", () => {
  it("is listed, shown to Manage Server by default, in servers only, with start and stop", () => {
    expect(commandsByName.get("scene")).toBe(sceneCommand);
    expect(sceneCommand.data.default_member_permissions).toBe(MANAGE_GUILD);
    expect(sceneCommand.data.contexts).toEqual([GUILD_CONTEXT]);
    expect((sceneCommand.data.options ?? []).map((o) => o.name)).toEqual(["start", "stop"]);
  });
});

describe("pickCast", () => {
  const ids = (option: string) => {
    const { chosen, unknown } = pickCast(option, CAST);
    return { chosen: chosen.map((p) => p.id), unknown };
  };

  it("takes ids, names and aliases, separated by commas or spaces, each once", () => {
    expect(ids("quill, bard")).toEqual({ chosen: ["quill", "bard"], unknown: [] });
    expect(ids("Captain Quill, Professor Theo")).toEqual({ chosen: ["quill", "tutor"], unknown: [] });
    expect(ids("wren quill tutor quill")).toEqual({ chosen: ["bard", "quill", "tutor"], unknown: [] });
  });

  it("names the words that match nobody in the cast", () => {
    expect(ids("quill, juniper")).toEqual({ chosen: ["quill"], unknown: ["juniper"] });
    expect(ids("Captain Nemo")).toEqual({ chosen: [], unknown: ["Captain", "Nemo"] });
  });
});
