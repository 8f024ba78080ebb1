import type { Logger } from "../log.js";
import type { Erased, MemoryEraser } from "./forget.js";

/** How often the retention job looks for turns past their time. */
export const RETENTION_SWEEP_INTERVAL_MS = 60 * 60_000;
const DAY_MS = 24 * 60 * 60_000;

export interface RetentionDeps {
  readonly eraser: MemoryEraser;
  /** Turns older than this many days are deleted; undefined turns the job off. */
  readonly days: number | undefined;
  readonly log: Logger;
  /** The clock, for tests. */
  readonly now?: () => number;
}

/**
 * Deletes turns older than MEMORY_RETENTION_DAYS, and the summaries built from them,
 * once at start and then every RETENTION_SWEEP_INTERVAL_MS. The timer is unref'd, so it
 * never keeps the process alive.
 */
export class RetentionJob {
  readonly #deps: RetentionDeps;
  readonly #now: () => number;
  #timer: NodeJS.Timeout | undefined;
  #sweeping: Promise<Erased> | undefined;

  constructor(deps: RetentionDeps) {
    this.#deps = deps;
    this.#now = deps.now ?? Date.now;
  }

  /** Starts sweeping; does nothing when retention is off or the job already runs. */
  start(): void {
    if (this.#deps.days === undefined || this.#timer) return;
    this.#timer = setInterval(() => void this.sweep(), RETENTION_SWEEP_INTERVAL_MS).unref();
    void this.sweep();
  }

  stop(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }

  /** Deletes what is past its time now; a sweep already running is joined, not doubled. */
  sweep(): Promise<Erased> {
    const { days, eraser, log } = this.#deps;
    if (days === undefined) return Promise.resolve({ turns: 0, summariesDropped: [] });
    this.#sweeping ??= eraser
      .deleteOlderThan(this.#now() - days * DAY_MS)
      .then(
        (erased) => {
          if (erased.turns > 0)
            log.info(
              { turns: erased.turns, summaries: erased.summariesDropped.length, days },
              "retention: deleted old turns",
            );
          return erased;
        },
        (error: unknown) => {
          log.error({ err: error }, "retention sweep failed");
          return { turns: 0, summariesDropped: [] };
        },
      )
      .finally(() => {
        this.#sweeping = undefined;
      });
    return this.#sweeping;
  }
}
