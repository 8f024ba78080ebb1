import { parseDocument } from "yaml";
import type { Persona, PersonaProblem } from "./persona.js";
import { personaFromFrontMatter } from "./schema.js";

export {
  hasControlCharacters,
  MAX_DESCRIPTION_LENGTH,
  MAX_GREETING_LENGTH,
  MAX_NAME_LENGTH,
  withoutControlCharacters,
} from "./schema.js";

/** Aliases a front matter may expand; a handful is plenty for a persona file. */
const MAX_YAML_ALIASES = 100;

/**
 * What a persona id may look like: lowercase letters (of any script, so a card named in
 * Chinese keeps its name), digits, - and _, at most 64 characters.
 */
export const PERSONA_ID = /^[\p{Ll}\p{Lo}\p{Lm}\p{Nd}][\p{Ll}\p{Lo}\p{Lm}\p{M}\p{Nd}_-]{0,63}$/u;
const FRONT_MATTER = /^\uFEFF?---[ \t]*\r?\n([\s\S]*?)\r?\n---[ \t]*(?:\r?\n|$)/;

/** The persona id for a file name, or undefined when the name cannot be an id. */
export function personaIdOf(fileName: string): string | undefined {
  const id = fileName.replace(/\.md$/i, "");
  return PERSONA_ID.test(id) ? id : undefined;
}

/**
 * Parses one persona file's text. Returns the persona, or every problem found in it.
 * `file` is how the file is named in messages (e.g. `personas/quill.md`).
 */
export function parsePersona(
  file: string,
  fileName: string,
  text: string,
): { persona: Persona; problems?: undefined } | { persona?: undefined; problems: PersonaProblem[] } {
  const problem = (field: string, reason: string) => ({ problems: [{ file, field, reason }] });
  // Files saved on Windows end lines with \r\n; the persona keeps plain \n.
  const source = text.replace(/\r\n?/g, "\n");
  const id = personaIdOf(fileName);
  if (!id)
    return problem("file name", "must be lowercase letters, digits, - or _ (it becomes the persona id), ending in .md");

  const match = FRONT_MATTER.exec(source);
  if (!match)
    return problem("front matter", "the file must start with a --- line, YAML fields, and a closing --- line");

  // Parsed as a document so warnings (an unknown tag, say) become problems instead of stderr noise.
  const document = parseDocument(match[1] ?? "", { prettyErrors: false, logLevel: "silent" });
  const yamlIssue = document.errors[0] ?? document.warnings[0];
  if (yamlIssue) {
    // Line numbers count from the file's first line, the opening --- (hence + 1).
    const line = (match[1] ?? "").slice(0, yamlIssue.pos[0]).split("\n").length + 1;
    return problem("front matter", `is not valid YAML (line ${line}): ${yamlIssue.message.split("\n")[0]}`);
  }
  let data: unknown;
  try {
    // maxAliasCount: a "billion laughs" file is refused instead of expanded.
    data = document.toJS({ maxAliasCount: MAX_YAML_ALIASES }) ?? {};
  } catch (error) {
    return problem("front matter", `cannot be read: ${(error as Error).message}`);
  }

  return personaFromFrontMatter(file, id, data, source.slice(match[0].length));
}
