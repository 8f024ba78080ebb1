import { contextProblem, loreWarnings } from "../chat/persona-warnings.js";
import { formatProblem, type Persona } from "../personas/persona.js";
import { loadPersonaFile, type PersonaCheck, personaFilesIn } from "../personas/registry.js";

/** One persona file as the Personas screen lists it: what it is, and what is wrong with it. */
export interface PersonaListing {
  readonly file: string;
  readonly id: string | undefined;
  readonly name: string | undefined;
  readonly description: string | undefined;
  readonly problems: readonly string[];
  readonly warnings: readonly string[];
}

/**
 * Every persona file in `dir` with its problems: the checks `npm run personas -- check`
 * runs (the file parses, it fits `contextTokens`, its id is not taken) and its lore warnings.
 */
export function listPersonas(dir: string, contextTokens: number): PersonaListing[] {
  const fitsContext: PersonaCheck = (persona: Persona) =>
    [contextProblem(persona, contextTokens)].filter((p) => p !== undefined);
  const ids = new Map<string, string>();
  const listings: PersonaListing[] = [];
  for (const file of personaFilesIn(dir)) {
    const result = loadPersonaFile(dir, file, fitsContext);
    if (result.kind === "ignored") continue;
    if (result.kind === "broken") {
      listings.push({
        file,
        id: result.id,
        name: undefined,
        description: undefined,
        problems: result.problems.map(formatProblem),
        warnings: [],
      });
      continue;
    }
    const { persona } = result;
    const taken = ids.get(persona.id);
    const problems = taken
      ? [
          formatProblem({
            file: persona.file,
            field: "id",
            reason: `"${persona.id}" is already used by ${taken}; rename one of the files`,
          }),
        ]
      : [];
    ids.set(persona.id, taken ?? persona.file);
    const warnings = loreWarnings(persona, contextTokens).map(formatProblem);
    listings.push({ file, id: persona.id, name: persona.name, description: persona.description, problems, warnings });
  }
  return listings;
}
