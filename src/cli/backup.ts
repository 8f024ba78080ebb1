import "../load-env.js";
import { existsSync, mkdirSync, readdirSync } from "node:fs";
import path from "node:path";
import Database from "better-sqlite3";
import { ConfigError, loadCoreConfig } from "../config.js";

/**
 * `npm run backup -- [folder]`: copies the database (and every shard's file) with SQLite's
 * online backup, safe while the bot runs. Default folder: backups/.
 */
async function main(): Promise<void> {
  const config = loadCoreConfig();
  const target = process.argv[2] ?? "backups";
  const dir = path.dirname(path.resolve(config.databasePath));
  const base = path.basename(config.databasePath, path.extname(config.databasePath));
  const files = existsSync(dir)
    ? readdirSync(dir).filter((name) => name === path.basename(config.databasePath) || new RegExp(`^${base}\\.shard-\\d+\\.db$`).test(name))
    : [];
  if (files.length === 0) throw new Error(`No database found at ${config.databasePath}; nothing to back up.`);
  mkdirSync(target, { recursive: true });
  const stamp = new Date().toISOString().replace(/[:.]/g, "-");
  for (const name of files) {
    const db = new Database(path.join(dir, name), { readonly: true, fileMustExist: true });
    const destination = path.join(target, `${path.basename(name, ".db")}-${stamp}.db`);
    try {
      await db.backup(destination);
    } finally {
      db.close();
    }
    console.log(`Backed up ${path.join(dir, name)} → ${destination}`);
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof ConfigError ? error.message : `Backup failed: ${(error as Error).message}`);
  process.exit(1);
});
