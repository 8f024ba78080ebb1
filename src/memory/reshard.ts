import { rmSync } from "node:fs";
import Database from "better-sqlite3";
import path from "node:path";
import type { Logger } from "../log.js";
import { type Db, openDatabase } from "./db.js";
import {
  assertLayout,
  databaseFiles,
  type FoundFile,
  holdsMemory,
  LayoutError,
  layoutFile,
  MEMORY_TABLES,
  type RecordedLayout,
  recordedLayout,
  recordLayout,
  reshardCommand,
  shardOf,
} from "./layout.js";
import { copyUnit, deleteUnit, type Unit, unitsIn } from "./reshard-units.js";

/** What a reshard did. */
export interface ReshardReport {
  /** The shard count moved to (0: unsharded). */
  readonly to: number;
  /** Units (servers, and '' for DMs) moved, with the files they went from and to. */
  readonly moved: ReadonlyArray<{ unit: Unit; from: string; to: string }>;
  /** Rows per memory table, the same before and after (checked). */
  readonly rows: Readonly<Record<string, number>>;
  /** Summaries whose turns were gone; the summarizer rebuilds them. */
  readonly summariesDropped: number;
  /** The files the memory now lives in. */
  readonly files: readonly string[];
  /** Files emptied by the move and deleted. */
  readonly removed: readonly string[];
}

interface OpenFile {
  readonly file: string;
  readonly db: Db;
  /** Its shard in the new layout; undefined for a file the new layout does not use. */
  readonly targetIndex: number | undefined;
}

const journalHas = (db: Db, unit: Unit, source: string) =>
  db.prepare("SELECT 1 FROM reshard_journal WHERE unit = @unit AND source_file = @source").get({ unit, source }) !==
  undefined;

/** What each file found records (read only), before anything is written. */
function readLayouts(found: readonly FoundFile[]): Map<string, RecordedLayout | undefined> {
  return new Map(
    found.map((f) => {
      const db = new Database(f.file, { readonly: true, fileMustExist: true });
      try {
        return [f.file, recordedLayout(db)];
      } finally {
        db.close();
      }
    }),
  );
}

/**
 * Refuses, before anything is written, a reshard that cannot finish here: another
 * interrupted reshard, or a layout whose files are not all on this machine (their servers
 * would be left behind).
 */
function preflight(databasePath: string, to: number, layouts: ReadonlyMap<string, RecordedLayout | undefined>): void {
  const recorded = [...layouts.values()].filter((l) => l !== undefined);
  const interrupted = recorded.find((l) => l.reshardingTo !== null);
  if (interrupted && interrupted.reshardingTo !== to) {
    throw new LayoutError(
      `A reshard to ${interrupted.reshardingTo} was interrupted. Finish it first with \`${reshardCommand(interrupted.reshardingTo!)}\`.`,
    );
  }
  if (interrupted) return; // the run that started it checked the files
  for (const count of new Set(recorded.map((l) => l.shards).filter((n) => n > 0))) {
    const missing = Array.from({ length: count }, (_, i) => layoutFile(databasePath, count, i)).filter(
      (file) => !layouts.has(file),
    );
    if (missing.length > 0) {
      throw new LayoutError(
        `Some files of the ${count}-shard layout are not here: ${missing.join(", ")}. Gather every shard's file on this machine, reshard, then give each machine its shards' files.`,
      );
    }
  }
}

/** Row counts per memory table, summed over `files`. */
function countRows(files: readonly OpenFile[]): Record<string, number> {
  const rows: Record<string, number> = {};
  for (const table of MEMORY_TABLES)
    rows[table] = files.reduce(
      (sum, f) => sum + (f.db.prepare(`SELECT count(*) FROM ${table}`).pluck().get() as number),
      0,
    );
  return rows;
}

/** Opens the files found and the new layout's files, marking every one as resharding to `to`. */
function openAll(
  databasePath: string,
  to: number,
  found: readonly FoundFile[],
  layouts: ReadonlyMap<string, RecordedLayout | undefined>,
): OpenFile[] {
  const targets = Array.from({ length: Math.max(to, 1) }, (_, i) => layoutFile(databasePath, to, i));
  const files = [...new Set([...found.map((f) => f.file), ...targets])];
  const open = files.map((file) => ({
    file,
    db: openDatabase(file),
    targetIndex: targets.includes(file) ? targets.indexOf(file) : undefined,
  }));
  const namedShard = new Map(found.map((f) => [f.file, f.namedShard]));
  for (const f of open) {
    const named = namedShard.get(f.file);
    const own =
      layouts.get(f.file) ?? (named === undefined ? { shards: 0, index: 0 } : { shards: named + 1, index: named });
    recordLayout(f.db, f.targetIndex === undefined ? own : { shards: to, index: f.targetIndex }, to);
  }
  return open;
}

/** Deletes from their source the units a crashed reshard had already copied (the target's journal says so). */
function finishCopiedMoves(files: readonly OpenFile[]): void {
  const byName = new Map(files.map((f) => [path.basename(f.file), f]));
  for (const target of files) {
    for (const entry of target.db
      .prepare<[], { unit: string; source_file: string }>("SELECT unit, source_file FROM reshard_journal")
      .all()) {
      const source = byName.get(entry.source_file);
      if (source) source.db.transaction(() => deleteUnit(source.db, entry.unit))();
    }
  }
}

/** Moves one unit: copied into the target with a journal entry in one transaction, then deleted from the source in another. */
function moveUnit(source: OpenFile, target: OpenFile, unit: Unit): number {
  const sourceName = path.basename(source.file);
  let dropped = 0;
  target.db.transaction(() => {
    if (journalHas(target.db, unit, sourceName)) return;
    dropped = copyUnit(source.db, target.db, unit);
    target.db
      .prepare("INSERT INTO reshard_journal (unit, source_file) VALUES (@unit, @sourceName)")
      .run({ unit, sourceName });
  })();
  source.db.transaction(() => deleteUnit(source.db, unit))();
  return dropped;
}

/** SQLite's and the recall index's own consistency checks on a file; throws on a problem. */
function verifyFile(f: OpenFile): void {
  const integrity = f.db.pragma("integrity_check", { simple: true });
  const foreignKeys = f.db.pragma("foreign_key_check") as unknown[];
  if (integrity !== "ok" || foreignKeys.length > 0)
    throw new Error(
      `${f.file} failed its checks after the move: integrity ${String(integrity)}, ${foreignKeys.length} broken reference(s).`,
    );
  f.db.prepare("INSERT INTO turns_fts (turns_fts) VALUES ('integrity-check')").run();
}

/**
 * Moves every server's memory (turns, summaries, recall index, persona choices, settings,
 * blocks, audit log) into the file of its shard under `to` shards (0: one unsharded file);
 * DMs go to shard 0. Each server moves in transactions and is journalled, so running it
 * again after a crash finishes the job. At the end the row counts of every table must
 * match what there was, every file must pass integrity_check, and emptied files are deleted.
 * The bot must be stopped.
 */
export function reshard(databasePath: string, to: number): ReshardReport {
  const found = databaseFiles(databasePath);
  const layouts = readLayouts(found);
  preflight(databasePath, to, layouts);
  const files = openAll(databasePath, to, found, layouts);
  let report: ReshardReport;
  try {
    finishCopiedMoves(files);
    report = moveAndVerify(files, to);
  } finally {
    for (const f of files) f.db.close();
  }
  // Only once every check passed and the new layout is recorded: files the new layout does not use.
  for (const file of report.removed)
    for (const suffix of ["", "-wal", "-shm"]) rmSync(`${file}${suffix}`, { force: true });
  return report;
}

function moveAndVerify(files: readonly OpenFile[], to: number): ReshardReport {
  const before = countRows(files);
  const targets = files.filter((f) => f.targetIndex !== undefined);
  const moved: Array<{ unit: Unit; from: string; to: string }> = [];
  let summariesDropped = 0;
  for (const source of files) {
    for (const unit of unitsIn(source.db)) {
      const target = targets[shardOf(unit || null, to)]!;
      if (target === source) continue;
      summariesDropped += moveUnit(source, target, unit);
      moved.push({ unit, from: source.file, to: target.file });
    }
  }
  const after = countRows(targets);
  const leftBehind = files.filter((f) => f.targetIndex === undefined && holdsMemory(f.db));
  const mismatched = MEMORY_TABLES.filter((t) => after[t] !== before[t]! - (t === "summaries" ? summariesDropped : 0));
  if (mismatched.length > 0 || leftBehind.length > 0) {
    const problems = [
      ...mismatched.map((t) => `${t}: ${before[t]} rows before, ${after[t]} after`),
      ...leftBehind.map((f) => `${f.file} still holds memory`),
    ];
    throw new Error(
      `The move did not add up (${problems.join("; ")}). No file was deleted; restore from your backup or report this.`,
    );
  }
  for (const target of targets) verifyFile(target);
  for (const target of targets) {
    target.db.prepare("DELETE FROM reshard_journal").run();
    recordLayout(target.db, { shards: to, index: target.targetIndex! });
  }
  const removed = files.filter((f) => f.targetIndex === undefined).map((f) => f.file);
  return { to, moved, rows: after, summariesDropped, files: targets.map((t) => t.file), removed };
}

/**
 * Before the bot opens its files: refuses to start when memory on disk belongs to another
 * shard layout than `shards` (0: unsharded), or with RESHARD=auto moves it there first.
 */
export function ensureLayout(
  databasePath: string,
  shards: number,
  options: { reshardAuto: boolean; log: Logger },
): void {
  try {
    assertLayout(databasePath, shards);
  } catch (error) {
    if (!(error instanceof LayoutError) || !options.reshardAuto) throw error;
    options.log.warn({ to: shards }, "memory on disk belongs to another shard layout; moving it first (RESHARD=auto)");
    const report = reshard(databasePath, shards);
    options.log.info(
      { to: shards, moved: report.moved.length, rows: report.rows, files: report.files, removed: report.removed },
      "memory moved to the new shard layout",
    );
  }
}
