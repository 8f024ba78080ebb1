import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import Database from "better-sqlite3";
import { ensureDatabaseFolder } from "../config.js";
import { registerRecallTerms } from "./terms.js";
import { hasVectorTable, loadVectorExtension } from "./vector-extension.js";

export type Db = Database.Database;

/** How long a write waits for another connection's lock before giving up. */
export const BUSY_TIMEOUT_MS = 5000;
/** The numbered SQL files, applied in order: `001_name.sql`, `002_name.sql`, ... */
export const MIGRATIONS_DIR = fileURLToPath(new URL("../../migrations/", import.meta.url));
const MIGRATION_FILE = /^(\d+)_[\w-]+\.sql$/;

/** Thrown when the database cannot be opened or migrated; says which file and why. */
export class DatabaseError extends Error {
  constructor(
    message: string,
    readonly databasePath: string,
    override readonly cause?: unknown,
  ) {
    super(message);
    this.name = "DatabaseError";
  }
}

interface Migration {
  readonly version: number;
  readonly file: string;
  readonly sql: string;
}

/** The migrations in `dir`, sorted by number; numbers must be 1, 2, 3... without gaps. */
export function readMigrations(dir: string = MIGRATIONS_DIR): Migration[] {
  const migrations = readdirSync(dir)
    .map((file) => ({ file, match: MIGRATION_FILE.exec(file) }))
    .filter((m) => m.match)
    .map(({ file, match }) => ({ version: Number(match![1]), file, sql: readFileSync(path.join(dir, file), "utf8") }))
    .sort((a, b) => a.version - b.version);
  migrations.forEach((m, i) => {
    if (m.version !== i + 1)
      throw new Error(
        `Migration ${m.file} should be numbered ${i + 1}: migrations must be numbered 1, 2, 3... without gaps.`,
      );
  });
  return migrations;
}

/** The schema version a database is at (0 for a new one). */
export function schemaVersion(db: Db): number {
  return db.pragma("user_version", { simple: true }) as number;
}

/**
 * Applies every migration newer than the database's schema version, each in its own
 * transaction together with the version bump, so a failure leaves the last good version.
 */
export function migrate(db: Db, migrations: readonly Migration[] = readMigrations()): number {
  const current = schemaVersion(db);
  const latest = migrations.at(-1)?.version ?? 0;
  if (current > latest) {
    throw new Error(
      `The database is at schema version ${current}, newer than this code knows (${latest}); update Masque.`,
    );
  }
  for (const migration of migrations) {
    if (migration.version <= current) continue;
    db.transaction(() => {
      db.exec(migration.sql);
      db.pragma(`user_version = ${migration.version}`);
    })();
  }
  return schemaVersion(db);
}

/**
 * Adds the SQL functions the schema's triggers call, and sqlite-vec (a turn's vector is
 * deleted with it by a trigger); every connection that writes turns needs them. Returns
 * whether sqlite-vec loaded.
 */
export function registerFunctions(db: Db): boolean {
  registerRecallTerms(db);
  return loadVectorExtension(db);
}

/**
 * Opens the database at `databasePath` (creating its folder), with WAL, foreign keys and
 * a busy timeout, and brings its schema up to date. `:memory:` gives a private database.
 */
export function openDatabase(databasePath: string, migrations?: readonly Migration[]): Db {
  let db: Db | undefined;
  try {
    ensureDatabaseFolder(databasePath);
    db = new Database(databasePath, { timeout: BUSY_TIMEOUT_MS });
    db.pragma("journal_mode = WAL");
    db.pragma("foreign_keys = ON");
    db.pragma("synchronous = NORMAL");
    // Deleted rows are overwritten with zeros, not left in free space: forgotten words leave the file.
    db.pragma("secure_delete = ON");
    const vectorsLoaded = registerFunctions(db);
    migrate(db, migrations);
    if (!vectorsLoaded && hasVectorTable(db)) {
      throw new Error(
        "it holds embedding vectors, and sqlite-vec could not be loaded on this machine (its npm package ships builds for Linux, macOS and Windows on x64 and arm64); reinstall with npm ci, or open the file where it loads",
      );
    }
    // A read-only file, or one another program has locked, opens and reads fine and would fail
    // only at the first reply's write: write once now, so start-up says so instead.
    db.pragma(`user_version = ${schemaVersion(db)}`);
    return db;
  } catch (error) {
    db?.close();
    const reason = error instanceof Error ? error.message : String(error);
    if (isDriverLoadError(error)) {
      throw new DatabaseError(
        // The first line says what failed; the rest of a bindings error is a list of paths tried.
        `SQLite could not be loaded: better-sqlite3's compiled module is missing or was built for another Node.js (${reason.split("\n")[0]!.replace(/ Tried:$/, "")}). ` +
          `Rebuild it for Node.js ${process.version} with: npm rebuild better-sqlite3 (needs python3, make and a C++ compiler).`,
        databasePath,
        error,
      );
    }
    throw new DatabaseError(
      `Cannot open the database ${databasePath}: ${reason}. ${fixFor(error)}`,
      databasePath,
      error,
    );
  }
}

/**
 * True when better-sqlite3's native addon failed to load (it loads on the first `new Database`):
 * never built (npm skipped its install script), or built for another Node.js version.
 */
export function isDriverLoadError(error: unknown): boolean {
  const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
  if (code === "ERR_DLOPEN_FAILED") return true;
  return typeof message === "string" && /bindings file|NODE_MODULE_VERSION|better_sqlite3\.node/.test(message);
}

/**
 * Whether a write transaction can be started now (the file is writable and no other
 * writer holds the lock), for the health check. Does not wait out another writer's lock.
 */
export function isWritable(db: Db): boolean {
  db.pragma("busy_timeout = 0");
  try {
    db.exec("BEGIN IMMEDIATE");
    db.exec("ROLLBACK");
    return true;
  } catch {
    return false;
  } finally {
    db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
  }
}

/** What the operator can do about an error opening the database, from SQLite's error code. */
function fixFor(error: unknown): string {
  const code = (error as { code?: unknown } | undefined)?.code;
  if (typeof code === "string" && /^SQLITE_(BUSY|LOCKED)/.test(code)) {
    return "Another program holds a lock on it: stop the other Masque or database tool using this file, then start again.";
  }
  if (typeof code === "string" && /^SQLITE_(READONLY|CANTOPEN|PERM)/.test(code)) {
    return "Check DATABASE_PATH, and that the file and its folder are writable by the user running Masque.";
  }
  return "Check DATABASE_PATH and that the folder is writable.";
}
