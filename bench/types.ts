/** One target of a benchmark: what it holds, the figure measured, the bound, and whether it was met. */
export interface Target {
  readonly what: string;
  readonly figure: string;
  readonly bound: string;
  readonly met: boolean;
}

/** What a benchmark reports: printed lines, figures for bench/results.json, and its targets. */
export interface BenchmarkResult {
  readonly lines: readonly string[];
  readonly figures: Record<string, number>;
  readonly targets: readonly Target[];
}

/** How a target reads in a table. */
export const verdict = (met: boolean): string => (met ? "met" : "**missed**");

/** A figure in milliseconds, as the tables print it. */
export const msFigure = (value: number): string => `${value.toFixed(2)} ms`;

/** A benchmark: `run` does the work and measures it. */
export type Benchmark = () => Promise<BenchmarkResult>;

/** The value below which `share` (0..1) of the sorted samples lie. */
export function percentile(sorted: readonly number[], share: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(share * sorted.length))]!;
}

export { seededRandom } from "../test/helpers/random.js";
