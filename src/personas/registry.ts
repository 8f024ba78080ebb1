import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { parsePersona } from "./parse.js";
import { type Persona, PersonaError, type PersonaProblem } from "./persona.js";

const PERSONA_FILE = /\.md$/i;

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

  get size(): number {
    return this.#byId.size;
  }
}

/**
 * Loads every persona file in `dir`. A broken file is reported in `problems` and
 * skipped; a missing or broken default persona throws PersonaError, since the bot
 * cannot answer without it.
 */
export function loadPersonas(dir: string, defaultId: string): PersonaRegistry {
  let names: string[];
  try {
    names = readdirSync(dir).filter((name) => PERSONA_FILE.test(name)).sort();
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === "ENOENT" ? "does not exist" : String(error);
    throw new PersonaError(`The personas folder "${dir}" ${reason}; set PERSONAS_DIR to the folder holding your persona files.`);
  }

  const personas: Persona[] = [];
  const problems: PersonaProblem[] = [];
  for (const name of names) {
    const file = path.join(dir, name);
    let source: string;
    try {
      source = readFileSync(file, "utf8");
    } catch (error) {
      problems.push({ file, field: "file", reason: `cannot be read: ${(error as Error).message}` });
      continue;
    }
    const result = parsePersona(file, name, source);
    if (result.persona) personas.push(result.persona);
    else problems.push(...result.problems);
  }

  if (!personas.some((p) => p.id === defaultId)) {
    const defaultFile = path.join(dir, `${defaultId}.md`);
    const own = problems.filter((p) => p.file === defaultFile);
    throw new PersonaError(
      own.length > 0
        ? `The default persona "${defaultId}" (${defaultFile}) is broken; fix it or set DEFAULT_PERSONA to another persona:`
        : `The default persona "${defaultId}" was not found: there is no ${defaultFile}. Create it, or set DEFAULT_PERSONA to one of: ${personas.map((p) => p.id).join(", ") || "(no personas loaded)"}.`,
      own,
    );
  }
  return new PersonaRegistry(personas, defaultId, problems);
}
