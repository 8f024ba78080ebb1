import "../load-env.js";
import { ConfigError, loadCoreConfig } from "../config.js";
import { LayoutError } from "../memory/layout.js";
import { reshard } from "../memory/reshard.js";

const USAGE = "Usage: npm run reshard -- --to <shard count, or unsharded>   (with the bot stopped)";

/** The shard count asked for: `--to 4` or `--to=4`; `unsharded` (or 0) for the single file. */
function targetOf(args: readonly string[]): number {
  const index = args.findIndex((a) => a === "--to" || a.startsWith("--to="));
  const value = index === -1 ? undefined : args[index]!.includes("=") ? args[index]!.split("=")[1] : args[index + 1];
  if (value === "unsharded") return 0;
  if (value === undefined || !/^\d+$/.test(value)) throw new LayoutError(USAGE);
  return Number(value);
}

/**
 * `npm run reshard -- --to N`: moves every server's memory to the file of its shard under
 * N shards (SHARDS=N), DMs to shard 0; `--to unsharded` back into DATABASE_PATH itself.
 * Safe to run again after a crash: it finishes the interrupted move.
 */
function main(): void {
  const to = targetOf(process.argv.slice(2));
  const config = loadCoreConfig();
  const report = reshard(config.databasePath, to);
  const servers = report.moved.filter((m) => m.unit !== "").length;
  console.log(
    `Moved ${servers} server(s)${report.moved.some((m) => m.unit === "") ? " and the DMs" : ""} to ${to === 0 ? "the unsharded file" : `${to} shard files`}.`,
  );
  console.log(
    `Checked: ${Object.entries(report.rows)
      .map(([table, n]) => `${table} ${n}`)
      .join(", ")} rows, as before; integrity_check ok.`,
  );
  for (const file of report.files) console.log(`  ${file}`);
  if (report.removed.length > 0) console.log(`Removed the emptied file(s): ${report.removed.join(", ")}`);
  if (report.summariesDropped > 0)
    console.log(`${report.summariesDropped} summary(ies) whose turns were gone will be rebuilt.`);
  console.log(to === 0 ? "Start the bot with SHARDS empty." : `Start the bot with SHARDS=${to}.`);
}

try {
  main();
} catch (error) {
  console.error(
    error instanceof ConfigError || error instanceof LayoutError
      ? error.message
      : `Reshard failed: ${(error as Error).message}`,
  );
  process.exit(1);
}
