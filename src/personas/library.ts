import { type FSWatcher, watch } from "node:fs";
import type { Logger } from "../log.js";
import { formatProblem } from "./persona.js";
import {
  type FileResult,
  isPersonaFile,
  loadPersonaFile,
  type PersonaCheck,
  type PersonaRegistry,
  personaFilesIn,
  registryFrom,
} from "./registry.js";

/** Editors save in bursts (write, rename, chmod); changes are read once things are quiet for this long. */
export const RELOAD_DEBOUNCE_MS = 150;

/** What a reload changed, by persona id. */
export interface PersonaChanges {
  readonly added: readonly string[];
  readonly changed: readonly string[];
  readonly removed: readonly string[];
}

/**
 * The personas folder, kept loaded. A reload reads every file again; a file that became
 * invalid keeps its last good version (and the problem is logged), a removed file drops
 * its persona. If the result has no usable default persona, the previous set stays.
 */
export class PersonaLibrary {
  #results: Map<string, FileResult>;
  #registry: PersonaRegistry;
  #watcher: FSWatcher | undefined;
  #timer: NodeJS.Timeout | undefined;
  readonly #listeners: Array<(changes: PersonaChanges) => void> = [];

  constructor(
    readonly dir: string,
    readonly defaultId: string,
    private readonly log: Logger,
    /** What a persona must pass besides its file's own rules (core: fitting CONTEXT_TOKENS). */
    private readonly check?: PersonaCheck,
  ) {
    this.#results = new Map(personaFilesIn(dir).map((name) => [name, loadPersonaFile(dir, name, check)] as const));
    this.#registry = registryFrom(this.#results, dir, defaultId);
  }

  get registry(): PersonaRegistry {
    return this.#registry;
  }

  /** Calls `listener` after each reload that changed something. */
  onChange(listener: (changes: PersonaChanges) => void): void {
    this.#listeners.push(listener);
  }

  /** Reads the folder again and swaps in the new set; returns what changed. */
  reload(): PersonaChanges {
    const none: PersonaChanges = { added: [], changed: [], removed: [] };
    let names: string[];
    try {
      names = personaFilesIn(this.dir);
    } catch (error) {
      this.log.error(
        { dir: this.dir, err: (error as Error).message },
        "cannot read the personas folder; keeping the loaded personas",
      );
      return none;
    }
    const next = this.#loadFiles(names);
    let registry: PersonaRegistry;
    try {
      registry = registryFrom(next, this.dir, this.defaultId);
    } catch (error) {
      this.log.error({ err: (error as Error).message }, "persona reload rejected; keeping the loaded personas");
      return none;
    }
    const before = this.#registry;
    const changes = changesBetween(before, registry);
    this.#results = next;
    this.#registry = registry;
    if (changes.added.length + changes.changed.length + changes.removed.length > 0) {
      this.log.info({ ...changes, personas: registry.size }, "personas reloaded");
      for (const listener of this.#listeners) listener(changes);
    }
    return changes;
  }

  /** Loads each file; a broken one is logged, and keeps its last good version when it had one. */
  #loadFiles(names: readonly string[]): Map<string, FileResult> {
    const next = new Map<string, FileResult>();
    for (const name of names) {
      const result = loadPersonaFile(this.dir, name, this.check);
      const previous = this.#results.get(name);
      if (result.kind === "broken") {
        for (const problem of result.problems)
          this.log.warn(
            { file: problem.file, field: problem.field },
            `persona file has a problem: ${formatProblem(problem)}`,
          );
        if (previous?.kind === "persona") {
          this.log.warn(
            { file: previous.persona.file, persona: previous.persona.id },
            "keeping the last good version of this persona",
          );
          next.set(name, previous);
          continue;
        }
      }
      next.set(name, result);
    }
    return next;
  }

  /** Watches the folder and reloads shortly after files change. */
  watch(): void {
    if (this.#watcher) return;
    try {
      this.#watcher = watch(this.dir, (_event, fileName) => {
        if (fileName && !isPersonaFile(String(fileName))) return;
        clearTimeout(this.#timer);
        this.#timer = setTimeout(() => this.reload(), RELOAD_DEBOUNCE_MS);
      });
      this.#watcher.on("error", (error) =>
        this.log.warn({ err: error.message }, "persona folder watcher failed; edits need a restart"),
      );
    } catch (error) {
      this.log.warn(
        { dir: this.dir, err: (error as Error).message },
        "cannot watch the personas folder; edits need a restart",
      );
    }
  }

  close(): void {
    clearTimeout(this.#timer);
    this.#watcher?.close();
    this.#watcher = undefined;
  }
}

/** The personas added, changed and removed from `before` to `after`, by id. */
function changesBetween(before: PersonaRegistry, after: PersonaRegistry): PersonaChanges {
  return {
    added: after
      .list()
      .filter((p) => !before.get(p.id))
      .map((p) => p.id),
    changed: after
      .list()
      .filter((p) => {
        const old = before.get(p.id);
        return old !== undefined && JSON.stringify(old) !== JSON.stringify(p);
      })
      .map((p) => p.id),
    removed: before
      .list()
      .filter((p) => !after.get(p.id))
      .map((p) => p.id),
  };
}
