/**
 * `npm run bench` runs every benchmark; `npm run bench -- memory` runs the named ones (`recall`: what recall finds, bench/recall.ts).
 * Each prints its table; the figures also go to bench/results.json (not committed). At the
 * end one table lists every target of the benchmarks that ran, each met or missed; a missed
 * target is a figure, not a failure: the exit code is 0 whenever the benchmarks ran (1 only
 * when one crashed).
 */
import { writeFileSync } from "node:fs";
import { type Benchmark, type Target, verdict } from "./types.js";

/** Every benchmark, by name. Adding one is one line here and a module exporting `run`. */
const BENCHMARKS: Record<string, () => Promise<Benchmark>> = {
  memory: () => import("./memory.js").then((m) => m.run),
  latency: () => import("./latency.js").then((m) => m.run),
  streaming: () => import("./streaming.js").then((m) => m.run),
  throughput: () => import("./throughput.js").then((m) => m.run),
  startup: () => import("./load.js").then((m) => m.runStartup),
  scaling: () => import("./load.js").then((m) => m.runScaling),
  cache: () => import("./cache.js").then((m) => m.run),
  recall: () => import("./recall.js").then((m) => m.run),
};

const RESULTS_FILE = new URL("./results.json", import.meta.url);

async function main(): Promise<number> {
  const requested = process.argv.slice(2);
  const unknown = requested.filter((name) => !(name in BENCHMARKS));
  if (unknown.length > 0) {
    console.error(`Unknown benchmark(s): ${unknown.join(", ")}. Available: ${Object.keys(BENCHMARKS).join(", ")}.`);
    return 2;
  }
  const names = requested.length > 0 ? requested : Object.keys(BENCHMARKS);
  const results: Record<string, Record<string, number>> = {};
  const targets: Array<Target & { benchmark: string }> = [];
  for (const name of names) {
    console.log(`\n## ${name}\n`);
    const result = await (await BENCHMARKS[name]!())();
    for (const line of result.lines) console.log(line);
    results[name] = result.figures;
    targets.push(...result.targets.map((target) => ({ ...target, benchmark: name })));
  }
  console.log("\n## Targets\n");
  console.log("| benchmark | target | figure | bound | |\n| --- | --- | --- | --- | --- |");
  for (const t of targets) console.log(`| ${t.benchmark} | ${t.what} | ${t.figure} | ${t.bound} | ${verdict(t.met)} |`);
  console.log(`\n${targets.filter((t) => t.met).length} of ${targets.length} targets met.`);
  writeFileSync(
    RESULTS_FILE,
    `${JSON.stringify({ at: new Date().toISOString(), node: process.version, results }, null, 2)}\n`,
  );
  return 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error("Benchmark failed:", error);
    process.exit(1);
  },
);
