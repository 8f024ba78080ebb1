import { mkdirSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { formatProblem, PersonaError } from "../../src/personas/persona.js";
import { loadPersonas, PersonaRegistry } from "../../src/personas/registry.js";
import { personaFileText, testPersona, writePersonaFiles } from "../helpers/personas.js";
import { tempDirForTest } from "../helpers/temp-dir.js";

const SHIPPED_PERSONAS_DIR = fileURLToPath(new URL("../../personas/", import.meta.url));

/** The error `load` throws, or fails the test when it does not throw. */
function personaErrorOf(load: () => unknown): PersonaError {
  try {
    load();
  } catch (error) {
    if (error instanceof PersonaError) return error;
    throw error;
  }
  throw new Error("expected a PersonaError");
}

describe("loadPersonas", () => {
  it("skips broken files, loads the rest, and lists the problems", () => {
    const dir = tempDirForTest();
    writePersonaFiles(dir, {
      "assistant.md": personaFileText("Juniper"),
      "quill.md": personaFileText("Captain Quill"),
      "hot.md": "---\nname: Hot\ndescription: Too hot.\ntemperature: 3\n---\nBody\n",
      "empty.md": "---\nname: Empty\ndescription: No prompt.\n---\n",
      "notes.txt": "not a persona, not read",
    });

    const registry = loadPersonas(dir, "assistant");

    expect(registry.list().map((p) => p.id)).toEqual(["assistant", "quill"]);
    expect(registry.problems.map(formatProblem)).toEqual([
      `${path.join(dir, "empty.md")}: body: is empty; write the character's core prompt below the front matter`,
      `${path.join(dir, "hot.md")}: temperature: must be from 0 to 2`,
    ]);
    expect(registry.default.name).toBe("Juniper");
    expect(registry.get("quill")?.file).toBe(path.join(dir, "quill.md"));
    expect(registry.get("hot")).toBeUndefined();
    expect(registry.size).toBe(2);
  });

  it("reports a folder entry that cannot be read as a file problem", () => {
    const dir = tempDirForTest();
    writePersonaFiles(dir, { "assistant.md": personaFileText("Juniper") });
    mkdirSync(path.join(dir, "folder.md"));

    const registry = loadPersonas(dir, "assistant");

    expect(registry.problems.map((p) => [p.file, p.field])).toEqual([[path.join(dir, "folder.md"), "file"]]);
  });

  it("throws a PersonaError naming the missing default and the personas that did load", () => {
    const dir = tempDirForTest();
    writePersonaFiles(dir, {
      "quill.md": personaFileText("Captain Quill"),
      "tutor.md": personaFileText("Professor Theo"),
    });

    const error = personaErrorOf(() => loadPersonas(dir, "assistant"));

    expect(error.message).toBe(
      `The default persona "assistant" was not found: there is no ${path.join(dir, "assistant.md")}. Create it, or set DEFAULT_PERSONA to one of: quill, tutor.`,
    );
    expect(error.problems).toEqual([]);
  });

  it("throws a PersonaError listing the broken default's problems only", () => {
    const dir = tempDirForTest();
    writePersonaFiles(dir, {
      "assistant.md": "---\ndescription: No name.\ntemperature: 3\n---\nBody\n",
      "hot.md": "---\nname: Hot\ndescription: Too hot.\ntemperature: 3\n---\nBody\n",
    });
    const file = path.join(dir, "assistant.md");

    const error = personaErrorOf(() => loadPersonas(dir, "assistant"));

    expect(error.problems).toEqual([
      { file, field: "name", reason: "is missing" },
      { file, field: "temperature", reason: "must be from 0 to 2" },
    ]);
    const [headline, ...problemLines] = error.message.split("\n");
    expect(headline).toMatch(
      /^The default persona "assistant" .*is broken; fix it or set DEFAULT_PERSONA to another persona:$/,
    );
    expect(problemLines).toEqual([`  - ${file}: name: is missing`, `  - ${file}: temperature: must be from 0 to 2`]);
  });

  it("throws a PersonaError when the folder does not exist", () => {
    const dir = path.join(tempDirForTest(), "missing");
    expect(personaErrorOf(() => loadPersonas(dir, "assistant")).message).toBe(
      `The personas folder "${dir}" does not exist; set PERSONAS_DIR to the folder holding your persona files.`,
    );
  });

  it("loads the five shipped personas with no problems, assistant being the default", () => {
    const registry = loadPersonas(SHIPPED_PERSONAS_DIR, "assistant");

    expect(registry.problems).toEqual([]);
    expect(registry.list().map((p) => p.id)).toEqual(["assistant", "bard", "quill", "reviewer", "tutor"]);
    expect(registry.default.id).toBe("assistant");
  });
});

describe("PersonaRegistry", () => {
  it("refuses to exist without its default persona", () => {
    expect(() => new PersonaRegistry([testPersona({ id: "quill" })], "assistant")).toThrow(
      new PersonaError('The default persona "assistant" is not loaded.'),
    );
  });

  it("lists personas sorted by id", () => {
    const registry = new PersonaRegistry(
      [testPersona({ id: "tutor" }), testPersona({ id: "assistant" }), testPersona({ id: "bard" })],
      "tutor",
    );
    expect(registry.list().map((p) => p.id)).toEqual(["assistant", "bard", "tutor"]);
    expect(registry.default.id).toBe("tutor");
  });
});
