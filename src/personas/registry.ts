import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { cardChunkOf, parseCard } from "./cards.js";
import { parsePersona, personaIdOf } from "./parse.js";
import { readPngTextChunks } from "./png.js";
import { type Persona, PersonaError, type PersonaProblem } from "./persona.js";

/** Markdown personas and character cards (JSON, or PNG with the card embedded). */
const PERSONA_FILE = /\.(md|json|png)$/i;
const MAX_ID_LENGTH = 64;

/** One file's outcome: a persona, its problems, or nothing (a PNG without a card is just an image). */
export type FileResult =
  | { readonly kind: "persona"; readonly persona: Persona }
  | { readonly kind: "broken"; readonly id: string | undefined; readonly problems: readonly PersonaProblem[] }
  | { readonly kind: "ignored" };

/**
 * The persona id a card file gets: its name, lowercased, letters and digits of any script
 * kept (SillyTavern opens `星之守护者.png`), other characters as "-". The card's own name
 * stays the persona's name.
 */
export function cardIdOf(fileName: string): string | undefined {
  const id = fileName
    .replace(/\.(json|png)$/i, "")
    .normalize("NFC")
    .toLowerCase()
    .replace(/[^\p{L}\p{M}\p{N}_-]+/gu, "-")
    .replace(/^[-_]+|-+$/g, "");
  const capped = [...id].slice(0, MAX_ID_LENGTH).join("");
  return capped.length > 0 ? capped : undefined;
}

/** Whether a file name is one the loader reads. */
export function isPersonaFile(fileName: string): boolean {
  return PERSONA_FILE.test(fileName);
}

/** A check a loaded persona must also pass (such as fitting the model's context); returns its problems. */
export type PersonaCheck = (persona: Persona) => readonly PersonaProblem[];

/** Reads and parses one persona file (Markdown or character card), then applies `check`. */
export function loadPersonaFile(dir: string, fileName: string, check?: PersonaCheck): FileResult {
  const result = readPersonaFile(dir, fileName);
  if (result.kind !== "persona" || !check) return result;
  const problems = check(result.persona);
  return problems.length > 0 ? { kind: "broken", id: result.persona.id, problems } : result;
}

function readPersonaFile(dir: string, fileName: string): FileResult {
  const file = path.join(dir, fileName);
  const isMarkdown = /\.md$/i.test(fileName);
  const id = isMarkdown ? personaIdOf(fileName) : cardIdOf(fileName);
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (error) {
    return {
      kind: "broken",
      id,
      problems: [{ file, field: "file", reason: `cannot be read: ${(error as Error).message}` }],
    };
  }
  if (isMarkdown) {
    const result = parsePersona(file, fileName, bytes.toString("utf8"));
    return result.persona
      ? { kind: "persona", persona: { ...result.persona, source: "markdown" } }
      : { kind: "broken", id, problems: result.problems };
  }
  if (/\.png$/i.test(fileName) && !hasCard(bytes)) return { kind: "ignored" };
  if (!id)
    return {
      kind: "broken",
      id,
      problems: [
        { file, field: "file name", reason: "needs at least one letter or digit (it becomes the persona id)" },
      ],
    };
  const result = parseCard(file, id, fileName, bytes);
  return result.persona
    ? { kind: "persona", persona: result.persona }
    : { kind: "broken", id, problems: result.problems };
}

function hasCard(bytes: Buffer): boolean {
  try {
    return cardChunkOf(readPngTextChunks(bytes)) !== undefined;
  } catch {
    return true; // a broken PNG is reported by the card parser
  }
}

/** The persona files in a folder, sorted; throws PersonaError when the folder is missing. */
export function personaFilesIn(dir: string): string[] {
  try {
    return readdirSync(dir).filter(isPersonaFile).sort();
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === "ENOENT" ? "does not exist" : String(error);
    throw new PersonaError(
      `The personas folder "${dir}" ${reason}; set PERSONAS_DIR to the folder holding your persona files.`,
    );
  }
}

/**
 * Builds a registry from file results: a later file whose id is already taken is a
 * problem. Throws PersonaError when the default persona is missing or broken.
 */
export function registryFrom(
  results: ReadonlyMap<string, FileResult>,
  dir: string,
  defaultId: string,
): PersonaRegistry {
  const personas = new Map<string, Persona>();
  const problems: PersonaProblem[] = [];
  const defaultProblems: PersonaProblem[] = [];
  for (const [fileName, result] of results) {
    if (result.kind === "broken") {
      problems.push(...result.problems);
      if (result.id === defaultId) defaultProblems.push(...result.problems);
    } else if (result.kind === "persona") {
      const taken = personas.get(result.persona.id);
      if (taken) {
        problems.push({
          file: path.join(dir, fileName),
          field: "id",
          reason: `"${result.persona.id}" is already used by ${taken.file}; rename one of the files`,
        });
      } else {
        personas.set(result.persona.id, result.persona);
      }
    }
  }
  if (!personas.has(defaultId)) {
    throw new PersonaError(
      defaultProblems.length > 0
        ? `The default persona "${defaultId}" is broken; fix it or set DEFAULT_PERSONA to another persona:`
        : `The default persona "${defaultId}" was not found: there is no ${path.join(dir, `${defaultId}.md`)}. Create it, or set DEFAULT_PERSONA to one of: ${[...personas.keys()].join(", ") || "(no personas loaded)"}.`,
      defaultProblems,
    );
  }
  return new PersonaRegistry([...personas.values()], defaultId, problems);
}

/** The loaded personas, looked up by id; always holds the default persona. */
export class PersonaRegistry {
  readonly #byId: ReadonlyMap<string, Persona>;

  constructor(
    personas: readonly Persona[],
    readonly defaultId: string,
    /** Problems met while loading; those files were skipped. */
    readonly problems: readonly PersonaProblem[] = [],
  ) {
    this.#byId = new Map(personas.map((p) => [p.id, p]));
    if (!this.#byId.has(defaultId)) throw new PersonaError(`The default persona "${defaultId}" is not loaded.`);
  }

  get(id: string): Persona | undefined {
    return this.#byId.get(id);
  }

  get default(): Persona {
    return this.#byId.get(this.defaultId)!;
  }

  /** Every persona, sorted by id. */
  list(): Persona[] {
    return [...this.#byId.values()].sort((a, b) => a.id.localeCompare(b.id));
  }

  /** Every persona's name and aliases: what a person's display name must not be taken for in a prompt. */
  names(): string[] {
    return [...this.#byId.values()].flatMap((p) => [p.name, ...p.aliases]);
  }

  get size(): number {
    return this.#byId.size;
  }
}

/**
 * Loads every persona file in `dir`. A broken file is reported in `problems` and
 * skipped; a missing or broken default persona throws PersonaError, since the bot
 * cannot answer without it.
 */
export function loadPersonas(dir: string, defaultId: string, check?: PersonaCheck): PersonaRegistry {
  const results = new Map(personaFilesIn(dir).map((name) => [name, loadPersonaFile(dir, name, check)] as const));
  return registryFrom(results, dir, defaultId);
}
