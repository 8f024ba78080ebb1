import "../load-env.js";
import { copyFileSync, existsSync, mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import { toMarkdown } from "../personas/export.js";
import { formatProblem, PersonaError } from "../personas/persona.js";
import { cardIdOf, loadPersonaFile, personaFilesIn } from "../personas/registry.js";

const USAGE = `Usage:
  npm run personas -- check [folder]                 validate every persona file (default: PERSONAS_DIR or personas/)
  npm run personas -- import <card.png|card.json> [--out folder] [--force]
                                                     convert a character card into a Markdown persona file`;

/** Validates every file; prints each problem as `file: field: reason`. Returns the exit code. */
function check(dir: string): number {
  const files = personaFilesIn(dir);
  let personas = 0;
  let problems = 0;
  const ids = new Map<string, string>();
  for (const name of files) {
    const result = loadPersonaFile(dir, name);
    if (result.kind === "broken") {
      for (const problem of result.problems) console.log(formatProblem(problem));
      problems += result.problems.length;
    } else if (result.kind === "persona") {
      const taken = ids.get(result.persona.id);
      if (taken) {
        console.log(formatProblem({ file: result.persona.file, field: "id", reason: `"${result.persona.id}" is already used by ${taken}; rename one of the files` }));
        problems++;
      } else {
        ids.set(result.persona.id, result.persona.file);
        personas++;
      }
    }
  }
  console.log(problems === 0 ? `${personas} persona(s) OK in ${dir}.` : `${problems} problem(s); ${personas} persona(s) OK in ${dir}.`);
  return problems === 0 ? 0 : 1;
}

/** Converts a card into `<id>.md` in `outDir` (and copies a PNG card as the avatar). */
function importCard(file: string, outDir: string, force: boolean): number {
  const fileName = path.basename(file);
  const result = loadPersonaFile(path.dirname(file), fileName);
  if (result.kind !== "persona") {
    if (result.kind === "broken") for (const problem of result.problems) console.error(formatProblem(problem));
    else console.error(`${file}: card: is a PNG without a character card (no chara or ccv3 text chunk)`);
    return 1;
  }
  const id = cardIdOf(fileName) ?? result.persona.id;
  const target = path.join(outDir, `${id}.md`);
  if (existsSync(target) && !force) {
    console.error(`${target} already exists; pass --force to overwrite it.`);
    return 1;
  }
  let persona = result.persona;
  if (/\.png$/i.test(fileName)) {
    // The card image becomes the avatar, kept beside the persona under a name that is not itself loaded as a card.
    const avatar = path.join("avatars", `${id}.png`);
    mkdirSync(path.join(outDir, "avatars"), { recursive: true });
    copyFileSync(file, path.join(outDir, avatar));
    persona = { ...persona, avatar };
  }
  writeFileSync(target, toMarkdown(persona));
  console.log(`Wrote ${target} (${persona.name}).`);
  return 0;
}

function main(): number {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { out: { type: "string", short: "o" }, force: { type: "boolean", short: "f" }, help: { type: "boolean", short: "h" } },
  });
  const [command, target] = positionals;
  const personasDir = process.env.PERSONAS_DIR?.trim() || "personas";
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  if (command === "check") return check(target ?? personasDir);
  if (command === "import" && target) return importCard(target, values.out ?? personasDir, values.force === true);
  console.error(USAGE);
  return 2;
}

try {
  process.exitCode = main();
} catch (error) {
  console.error(error instanceof PersonaError ? error.message : `Failed: ${(error as Error).message}`);
  process.exitCode = 1;
}
