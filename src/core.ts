import { ChatEngine } from "./chat/engine.js";
import { NoteKeeper } from "./chat/people-notes.js";
import { Summarizer } from "./chat/summarizer.js";
import type { CoreConfig } from "./config.js";
import { Meaning } from "./chat/meaning.js";
import { ModelClient } from "./llm/client.js";
import { EmbeddingClient } from "./llm/embeddings.js";
import type { Logger } from "./log.js";
import { checkpointInBackground } from "./memory/checkpoints.js";
import { DatabaseError } from "./memory/db.js";
import { type Memory, openMemory } from "./memory/index.js";
import type { Layout } from "./memory/layout.js";
import { PersonaLibrary } from "./personas/library.js";
import { createPrometheusMetrics, type Metrics, noMetrics } from "./observability/metrics.js";
import { RetentionJob } from "./memory/retention.js";
import { ConcurrencyLimiter } from "./traffic/concurrency.js";
import { formatProblem, type Persona } from "./personas/persona.js";
import { contextProblem, loreWarnings } from "./chat/persona-warnings.js";
import type { PersonaRegistry } from "./personas/registry.js";

/** Everything except Discord: personas, memory, the model and the engine over them. */
export interface Core {
  readonly config: CoreConfig;
  readonly log: Logger;
  readonly memory: Memory;
  readonly model: ModelClient;
  readonly engine: ChatEngine;
  /** Model calls running at once: replies first, then summaries (LLM_MAX_CONCURRENCY, LLM_QUEUE_LIMIT). */
  readonly slots: ConcurrencyLimiter;
  readonly metrics: Metrics;
  /** The persona folder, reloaded on change once `library.watch()` is called. */
  readonly library: PersonaLibrary;
  /** The personas loaded now. */
  /** Writes rolling summaries in the background. */
  readonly summarizer: Summarizer;
  /** Keeps people notes in the background, where servers (and people) turned them on. */
  readonly notes: NoteKeeper;
  /** Deletes turns past MEMORY_RETENTION_DAYS; the bot starts it. */
  readonly retention: RetentionJob;
  /** Recall by meaning, when EMBEDDING_MODEL is set: embeds stored turns in the background from the start. */
  readonly meaning: Meaning | undefined;
  personas(): PersonaRegistry;
  close(): void;
}

export interface CoreOptions {
  /** Turns on Prometheus counting (the bot does when METRICS_PORT is set). */
  readonly metrics?: boolean;
  /** The cap on model calls at once and on replies waiting for one; without it (the terminal chat) calls are not capped. */
  readonly modelSlots?: { readonly maxActive: number; readonly maxWaiting: number };
  /** The shard layout the database file must belong to (the bot's; the terminal chat has none). */
  readonly layout?: Layout;
}

/**
 * Loads the personas (logging each broken file) and opens the database. Throws
 * PersonaError or DatabaseError when the bot cannot start.
 */
export function createCore(config: CoreConfig, log: Logger, options: CoreOptions = {}): Core {
  const library = loadPersonaLibrary(config, log);
  const memory = openMemory(config.databasePath, options.layout);
  const checkpoints = checkpointInBackground(memory.db, log);
  const model = new ModelClient({
    baseURL: config.openaiBaseUrl,
    apiKey: config.openaiApiKey,
    timeoutMs: config.modelTimeoutMs,
    maxRetries: config.modelMaxRetries,
    log,
  });
  const slots = new ConcurrencyLimiter(
    options.modelSlots?.maxActive ?? Number.POSITIVE_INFINITY,
    options.modelSlots?.maxWaiting ?? 0,
  );
  const personas = () => library.registry;
  const metrics = options.metrics ? createPrometheusMetrics() : noMetrics;
  const meaning = recallByMeaning(config, memory, log);
  const { summarizer, notes, engine } = createChatEngine(config, {
    memory,
    model,
    slots,
    log,
    metrics,
    library,
    meaning,
    personas,
  });
  const retention = new RetentionJob({ eraser: memory.eraser, days: config.memoryRetentionDays, log });
  return {
    config,
    log,
    memory,
    model,
    engine,
    slots,
    metrics,
    library,
    summarizer,
    notes,
    retention,
    meaning,
    personas,
    close: () => {
      meaning?.stop();
      retention.stop();
      for (const background of [summarizer, notes]) background.stop();
      library.close();
      checkpoints?.stop();
      memory.close();
    },
  };
}

/** The persona library, each broken file logged as skipped and each lore problem warned about, at load and on every change. */
function loadPersonaLibrary(config: CoreConfig, log: Logger): PersonaLibrary {
  const fitsContext = (persona: Persona) =>
    [contextProblem(persona, config.contextTokens)].filter((p) => p !== undefined);
  const library = new PersonaLibrary(config.personasDir, config.defaultPersona, log, fitsContext);
  for (const problem of library.registry.problems)
    log.warn({ file: problem.file, field: problem.field }, `persona skipped: ${formatProblem(problem)}`);
  const warnAboutLore = (ids: readonly string[]) => {
    for (const id of ids) {
      const persona = library.registry.get(id);
      for (const warning of persona ? loreWarnings(persona, config.contextTokens) : [])
        log.warn({ file: warning.file, field: warning.field }, `persona lore: ${formatProblem(warning)}`);
    }
  };
  warnAboutLore(library.registry.list().map((p) => p.id));
  library.onChange(({ added, changed }) => warnAboutLore([...added, ...changed]));
  return library;
}

/** The chat engine with the background passes it hands work to: the summarizer and the note keeper. */
function createChatEngine(
  config: CoreConfig,
  parts: Pick<Core, "memory" | "model" | "slots" | "log" | "metrics" | "library" | "meaning" | "personas">,
): Pick<Core, "summarizer" | "notes" | "engine"> {
  const { memory, model, slots, log, metrics, library, meaning, personas } = parts;
  const summaryModel = { model: config.defaultModel, contextTokens: config.contextTokens };
  const summarizer = new Summarizer({
    memory,
    model,
    slots,
    log,
    settings: summaryModel,
    personaNames: () => library.registry.names(),
  });
  const notes = new NoteKeeper({
    memory,
    model,
    slots,
    log,
    settings: { model: config.defaultModel, maxNotes: config.personNotesMax },
  });
  const engine = new ChatEngine({
    memory,
    model,
    personas,
    settings: {
      defaultModel: config.defaultModel,
      contextTokens: config.contextTokens,
      replyDeadlineMs: config.modelReplyDeadlineMs,
    },
    log,
    observe: (observation) => metrics.observeReply(observation),
    summarizer,
    notes,
    meaning,
  });
  return { summarizer, notes, engine };
}

/** Recall by meaning when EMBEDDING_MODEL is set, its indexer started; throws DatabaseError when sqlite-vec cannot be loaded here. */
function recallByMeaning(config: CoreConfig, memory: Memory, log: Logger): Meaning | undefined {
  if (config.embeddingModel === undefined) return undefined;
  if (!memory.vectors.available()) {
    memory.close();
    throw new DatabaseError(
      "EMBEDDING_MODEL is set, but sqlite-vec could not be loaded on this machine (its npm package ships builds for Linux, macOS and Windows on x64 and arm64): reinstall with npm ci, or leave EMBEDDING_MODEL empty.",
      config.databasePath,
    );
  }
  const client = new EmbeddingClient({
    baseURL: config.embeddingBaseUrl ?? config.openaiBaseUrl,
    apiKey: config.embeddingApiKey ?? config.openaiApiKey,
    model: config.embeddingModel,
    timeoutMs: config.modelTimeoutMs,
  });
  const meaning = new Meaning({ client, memory, log });
  meaning.start();
  return meaning;
}
