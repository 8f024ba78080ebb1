import type { ReplyStatus } from "./generate.js";

/** One finished model reply, reported for metrics. */
export interface ReplyObservation {
  readonly persona: string;
  readonly status: ReplyStatus;
  readonly promptTokens: number;
  readonly replyTokens: number;
  /** Prompt tokens the provider served from its prefix cache, as it reported them (0 when it did not). */
  readonly cachedTokens: number;
  /** From sending the request to the first piece of text; undefined when none came. */
  readonly firstTokenMs: number | undefined;
  readonly totalMs: number;
  /** The error's class name when it failed (ModelTimeoutError, ...). */
  readonly errorKind: string | undefined;
}
