import "../load-env.js";
import { mkdirSync } from "node:fs";
import path from "node:path";
import Database from "better-sqlite3";
import { ConfigError, loadCoreConfig } from "../config.js";
import { databaseFiles } from "../memory/layout.js";

/**
 * `npm run backup -- [folder]`: copies the database (and every shard's file) with SQLite's
 * online backup, safe while the bot runs. Default folder: backups/.
 */
async function main(): Promise<void> {
  const config = loadCoreConfig();
  const target = process.argv[2] ?? "backups";
  const files = databaseFiles(config.databasePath).map((found) => found.file);
  if (files.length === 0) throw new Error(`No database found at ${config.databasePath}; nothing to back up.`);
  mkdirSync(target, { recursive: true });
  const stamp = new Date().toISOString().replace(/[:.]/g, "-");
  for (const file of files) {
    const db = new Database(file, { readonly: true, fileMustExist: true });
    const name = path.basename(file);
    const destination = path.join(target, `${name.endsWith(".db") ? name.slice(0, -".db".length) : name}-${stamp}.db`);
    try {
      await db.backup(destination);
    } finally {
      db.close();
    }
    console.log(`Backed up ${file} → ${destination}`);
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof ConfigError ? error.message : `Backup failed: ${(error as Error).message}`);
  process.exit(1);
});
