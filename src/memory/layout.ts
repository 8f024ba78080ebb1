import { existsSync, readdirSync } from "node:fs";
import path from "node:path";
import Database from "better-sqlite3";
import type { Db } from "./db.js";

/**
 * How memory is split over database files: `shards` files, one per shard, or 0 for the
 * single unsharded file. A server's rows live in the file of shard `(guild_id >> 22) % shards`;
 * everything outside servers (DMs, the terminal) lives in shard 0's file.
 */
export interface Layout {
  /** The shard count; 0 for the unsharded file. */
  readonly shards: number;
  /** This file's shard (0 when unsharded). */
  readonly index: number;
}

/** Thrown when the files on disk belong to another shard layout than the one starting; the message names the fix. */
export class LayoutError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "LayoutError";
  }
}

/** The tables holding a server's (or the DMs') rows besides the conversations and what hangs off them. */
export const GUILD_TABLES = [
  "guild_settings",
  "channel_modes",
  "guild_moderation",
  "blocked_users",
  "admin_roles",
  "blocked_words",
  "guild_memory_settings",
  "audit_log",
  "conversation_cast",
  "allowed_bots",
  "masque_threads",
  "person_notes",
  "person_note_choices",
] as const;
/** Tables whose rows have a surrogate id of the file they are in: moved without it, in id order, so they get new ones and keep their order. */
export const SURROGATE_ID_TABLES: ReadonlySet<string> = new Set(["audit_log", "person_notes"]);
/** Every table whose rows are memory; a file with none of them holds nothing to lose. */
export const MEMORY_TABLES = [
  "conversations",
  "turns",
  "turn_messages",
  "summaries",
  "conversation_settings",
  ...GUILD_TABLES,
] as const;

const SHARD_ID_BITS = 22n;

/** The shard a server's events arrive on (Discord's formula); DMs (no server) on shard 0. */
export function shardOf(guildId: string | null, shards: number): number {
  if (!guildId || shards <= 1) return 0;
  return Number((BigInt(guildId) >> SHARD_ID_BITS) % BigInt(shards));
}

const describeLayout = (shards: number) => (shards === 0 ? "unsharded" : `${shards} shard${shards === 1 ? "" : "s"}`);

/**
 * The file of shard `index` of `shards` (0: unsharded, the file itself), so no file has two
 * writers: `data/masque.db` → `data/masque.shard-2.db`.
 */
export function layoutFile(databasePath: string, shards: number, index: number): string {
  if (shards === 0 || databasePath === ":memory:") return databasePath;
  const extension = path.extname(databasePath);
  return `${databasePath.slice(0, databasePath.length - extension.length)}.shard-${index}${extension || ".db"}`;
}

/** A database file found on disk, with what its name says. */
export interface FoundFile {
  readonly file: string;
  /** The shard its name says; undefined for the unsharded file. */
  readonly namedShard: number | undefined;
}

/** The unsharded file and every shard file of DATABASE_PATH that exist, whatever the name's extension. */
export function databaseFiles(databasePath: string): FoundFile[] {
  if (databasePath === ":memory:") return [];
  const dir = path.dirname(databasePath);
  const pattern = path
    .basename(layoutFile(databasePath, 1, 0))
    .replace(/[.*+?^${}()|[\]\\]/g, "\\$&")
    .replace("shard-0", "shard-(\\d+)");
  const shardFiles = existsSync(dir)
    ? readdirSync(dir)
        .map((name) => ({ name, match: new RegExp(`^${pattern}$`).exec(name) }))
        .filter((f) => f.match)
        .map((f) => ({ file: path.join(dir, f.name), namedShard: Number(f.match![1]) }))
        .sort((a, b) => a.namedShard - b.namedShard)
    : [];
  return [...(existsSync(databasePath) ? [{ file: databasePath, namedShard: undefined }] : []), ...shardFiles];
}

/** What a file records about its layout. */
export interface RecordedLayout extends Layout {
  /** Set while a reshard to that count is under way (or was interrupted). */
  readonly reshardingTo: number | null;
}

/** The layout a database records, if it records one (files made before migration 005 do not). */
export function recordedLayout(db: Db): RecordedLayout | undefined {
  const hasTable = db.prepare("SELECT 1 FROM sqlite_schema WHERE name = 'shard_layout'").get();
  if (!hasTable) return undefined;
  const row = db
    .prepare<[], { shard_count: number; shard_index: number; resharding_to: number | null }>(
      "SELECT shard_count, shard_index, resharding_to FROM shard_layout",
    )
    .get();
  return row && { shards: row.shard_count, index: row.shard_index, reshardingTo: row.resharding_to };
}

/** Records the file's layout (and whether a reshard is under way), replacing what it recorded. */
export function recordLayout(db: Db, layout: Layout, reshardingTo: number | null = null): void {
  db.prepare(
    `INSERT INTO shard_layout (only_row, shard_count, shard_index, resharding_to, recorded_at) VALUES (1, @shards, @index, @reshardingTo, @now)
     ON CONFLICT (only_row) DO UPDATE SET shard_count = excluded.shard_count, shard_index = excluded.shard_index, resharding_to = excluded.resharding_to, recorded_at = excluded.recorded_at`,
  ).run({ shards: layout.shards, index: layout.index, reshardingTo, now: Date.now() });
}

/** Whether the database holds any memory at all (rows in any memory table). */
export function holdsMemory(db: Db): boolean {
  const tables = new Set(db.prepare("SELECT name FROM sqlite_schema WHERE type = 'table'").pluck().all() as string[]);
  return MEMORY_TABLES.some(
    (table) => tables.has(table) && db.prepare(`SELECT 1 FROM ${table} LIMIT 1`).get() !== undefined,
  );
}

/** The command that moves memory to `shards`. */
export const reshardCommand = (shards: number) => `npm run reshard -- --to ${shards === 0 ? "unsharded" : shards}`;

/**
 * For a file the bot opens: records `layout` the first time, and refuses a file that
 * belongs to another layout or to an unfinished reshard.
 */
export function claimLayout(db: Db, layout: Layout): void {
  const recorded = recordedLayout(db);
  if (!recorded) {
    recordLayout(db, layout);
    return;
  }
  if (recorded.reshardingTo !== null) {
    throw new LayoutError(
      `${db.name} is in the middle of a reshard to ${describeLayout(recorded.reshardingTo)}. Finish it with \`${reshardCommand(recorded.reshardingTo)}\`, then start again.`,
    );
  }
  if (recorded.shards !== layout.shards || recorded.index !== layout.index) {
    throw new LayoutError(
      `${db.name} belongs to shard ${recorded.index} of ${describeLayout(recorded.shards)}, not shard ${layout.index} of ${describeLayout(layout.shards)}. ` +
        `Move the memory with \`${reshardCommand(layout.shards)}\` (bot stopped), or set SHARDS back.`,
    );
  }
}

/** What one file on disk belongs to: its recorded layout, else what its name says when it holds memory. */
function layoutOnDisk(found: FoundFile): { shards: number | "unknown"; reshardingTo: number | null } | undefined {
  const db = new Database(found.file, { readonly: true, fileMustExist: true });
  try {
    const recorded = recordedLayout(db);
    if (recorded) return { shards: recorded.shards, reshardingTo: recorded.reshardingTo };
    if (!holdsMemory(db)) return undefined;
    return { shards: found.namedShard === undefined ? 0 : "unknown", reshardingTo: null };
  } finally {
    db.close();
  }
}

/** Files on disk that belong to another layout than `shards` (0: unsharded), with the layout each belongs to. */
export function strayFiles(databasePath: string, shards: number): Array<{ file: string; shards: number | "unknown" }> {
  const strays: Array<{ file: string; shards: number | "unknown" }> = [];
  for (const found of databaseFiles(databasePath)) {
    const onDisk = layoutOnDisk(found);
    if (!onDisk) continue;
    if (onDisk.reshardingTo !== null) {
      throw new LayoutError(
        `A reshard to ${describeLayout(onDisk.reshardingTo)} was interrupted (${found.file}). Finish it with \`${reshardCommand(onDisk.reshardingTo)}\`, then start again.`,
      );
    }
    const fits =
      onDisk.shards === "unknown" ? shards > 0 && (found.namedShard ?? 0) < shards : onDisk.shards === shards;
    if (!fits) strays.push({ file: found.file, shards: onDisk.shards });
  }
  return strays;
}

/**
 * Refuses to start when memory on disk belongs to another shard layout than `shards`
 * (0: unsharded): starting would read each moved server's memory, persona choices and
 * blocks as empty. The error names the fix.
 */
export function assertLayout(databasePath: string, shards: number): void {
  const strays = strayFiles(databasePath, shards);
  if (strays.length === 0) return;
  const found = strays
    .map((s) => `${s.file} (${s.shards === "unknown" ? "sharded" : describeLayout(s.shards)})`)
    .join(", ");
  throw new LayoutError(
    `Memory on disk belongs to another shard layout than this start (${describeLayout(shards)}): ${found}. ` +
      `Starting would lose each moved server's memory, personas, blocks and settings. ` +
      `Stop the bot and run \`${reshardCommand(shards)}\` to move the memory, or start with RESHARD=auto to move it first, or set SHARDS back to what the files say.`,
  );
}
