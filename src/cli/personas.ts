import "../load-env.js";
import { parseArgs } from "node:util";
import { contextProblem, loreWarnings } from "../chat/persona-warnings.js";
import { DEFAULT_CONTEXT_TOKENS } from "../config.js";
import { countTokens } from "../chat/tokens.js";
import { explainLore, loreBudget } from "../personas/lore.js";
import { formatProblem, type Persona, PersonaError } from "../personas/persona.js";
import { loadPersonaFile, type PersonaCheck, personaFilesIn } from "../personas/registry.js";
import { exportCard, importCard, type TransferResult } from "../personas/transfer.js";

const USAGE = `Usage:
  npm run personas -- check [folder]                 validate every persona file (default: PERSONAS_DIR or personas/)
  npm run personas -- import <card.png|card.json> [--out folder] [--force]
                                                     convert a character card into a Markdown persona file
  npm run personas -- export <id> [--png] [--out folder] [--force]
                                                     write a persona as a V3 character card (JSON, or PNG)
  npm run personas -- explain <id> "<text>"          which lore entries a message would include, and why`;

/** The context size personas are checked against: CONTEXT_TOKENS as the bot reads it, or its default. */
function contextTokens(): number {
  const value = Number(process.env.CONTEXT_TOKENS?.trim() || DEFAULT_CONTEXT_TOKENS);
  return Number.isInteger(value) && value > 0 ? value : DEFAULT_CONTEXT_TOKENS;
}

const fitsContext: PersonaCheck = (persona: Persona) =>
  [contextProblem(persona, contextTokens())].filter((p) => p !== undefined);

/** Validates every file; prints each problem as `file: field: reason`, and lore that can never fit as a warning. Returns the exit code. */
function check(dir: string): number {
  let personas = 0;
  let problems = 0;
  const ids = new Map<string, string>();
  for (const name of personaFilesIn(dir)) {
    const result = loadPersonaFile(dir, name, fitsContext);
    if (result.kind === "broken") {
      for (const problem of result.problems) console.log(formatProblem(problem));
      problems += result.problems.length;
    } else if (result.kind === "persona") {
      const taken = ids.get(result.persona.id);
      if (taken) {
        console.log(
          formatProblem({
            file: result.persona.file,
            field: "id",
            reason: `"${result.persona.id}" is already used by ${taken}; rename one of the files`,
          }),
        );
        problems++;
        continue;
      }
      ids.set(result.persona.id, result.persona.file);
      personas++;
      for (const warning of loreWarnings(result.persona, contextTokens()))
        console.log(`warning: ${formatProblem(warning)}`);
    }
  }
  console.log(
    problems === 0
      ? `${personas} persona(s) OK in ${dir}.`
      : `${problems} problem(s); ${personas} persona(s) OK in ${dir}.`,
  );
  return problems === 0 ? 0 : 1;
}

function report(result: TransferResult, done: (persona: Persona, written: readonly string[]) => string): number {
  if ("errors" in result) {
    for (const error of result.errors) console.error(error);
    return 1;
  }
  console.log(done(result.persona, result.written));
  return 0;
}

function exportPersona(
  id: string,
  personasDir: string,
  options: { png: boolean; outDir: string; force: boolean },
): number {
  const results = personaFilesIn(personasDir).map((name) => loadPersonaFile(personasDir, name));
  const persona = results.find((r) => r.kind === "persona" && r.persona.id === id);
  if (persona?.kind !== "persona") {
    const broken = results.find((r) => r.kind === "broken" && r.id === id);
    if (broken?.kind === "broken") for (const problem of broken.problems) console.error(formatProblem(problem));
    else console.error(`No persona "${id}" in ${personasDir}.`);
    return 1;
  }
  return report(
    exportCard(persona.persona, personasDir, options),
    (p, written) => `Wrote ${written.join(", ")} (${p.name}, character card V3).`,
  );
}

/**
 * Prints each lore entry's outcome for `text` as the newest message, included (+) or not (-),
 * with the reason. Rolls are made with 0, so an entry with a probability shows as included
 * and an inclusion group takes the entry its weights put first.
 */
function explain(id: string, text: string, personasDir: string): number {
  const result = personaFilesIn(personasDir)
    .map((name) => loadPersonaFile(personasDir, name))
    .find((r) => r.kind === "persona" && r.persona.id === id);
  if (result?.kind !== "persona") {
    console.error(`No persona "${id}" in ${personasDir}.`);
    return 1;
  }
  const persona = result.persona;
  if (!persona.lore?.length) {
    console.log(`${persona.name} has no lorebook.`);
    return 0;
  }
  const budget = loreBudget(persona, contextTokens());
  const decisions = explainLore(persona.lore, persona.loreScanDepth ?? 0, {
    messages: [text],
    budget,
    cost: (entry) => countTokens(entry.content),
    random: () => 0,
  });
  console.log(
    `${persona.name}: ${decisions.filter((d) => d.included).length} of ${decisions.length} lore entries for this message (scan depth ${persona.loreScanDepth}, budget ${budget} tokens; rolls made with 0):`,
  );
  for (const d of decisions)
    console.log(
      `${d.included ? "+" : "-"} ${d.entry.comment ?? `entry ${persona.lore.indexOf(d.entry)}`}: ${d.reason}`,
    );
  return 0;
}

function main(): number {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      out: { type: "string", short: "o" },
      force: { type: "boolean", short: "f" },
      png: { type: "boolean" },
      help: { type: "boolean", short: "h" },
    },
  });
  const [command, target] = positionals;
  const personasDir = process.env.PERSONAS_DIR?.trim() || "personas";
  const force = values.force === true;
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  if (command === "check") return check(target ?? personasDir);
  if (command === "import" && target) {
    return report(
      importCard(target, values.out ?? personasDir, { force, check: fitsContext }),
      (p, written) => `Wrote ${written.join(", ")} (${p.name}).`,
    );
  }
  if (command === "explain" && target && positionals[2] !== undefined)
    return explain(target, positionals[2], personasDir);
  if (command === "export" && target)
    return exportPersona(target, personasDir, { png: values.png === true, outDir: values.out ?? ".", force });
  console.error(USAGE);
  return 2;
}

try {
  process.exitCode = main();
} catch (error) {
  console.error(error instanceof PersonaError ? error.message : `Failed: ${(error as Error).message}`);
  process.exitCode = 1;
}
