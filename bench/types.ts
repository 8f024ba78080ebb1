/** What a benchmark reports: printed lines, figures for bench/results.json, and whether it met its targets. */
export interface BenchmarkResult {
  readonly lines: readonly string[];
  readonly figures: Record<string, number>;
  readonly targetsMet: boolean;
}

/** A benchmark: `run` does the work and measures it. */
export type Benchmark = () => Promise<BenchmarkResult>;

/** The value below which `share` (0..1) of the sorted samples lie. */
export function percentile(sorted: readonly number[], share: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(share * sorted.length))]!;
}

export { seededRandom } from "../test/helpers/random.js";
