import type Database from "better-sqlite3";
import * as sqliteVec from "sqlite-vec";

/** The sqlite-vec table holding one vector per embedded turn (rowid = turns.id). */
export const VECTOR_TABLE = "turn_vectors";

/**
 * Loads sqlite-vec into a connection; false when its library cannot be loaded on this
 * machine (then vectors are off, and a file that has a vector table cannot be opened).
 */
export function loadVectorExtension(db: Database.Database): boolean {
  try {
    sqliteVec.load(db);
    return true;
  } catch {
    return false;
  }
}

/** Whether the file has a vector table (made once vectors were turned on). */
export function hasVectorTable(db: Database.Database): boolean {
  return db.prepare("SELECT 1 FROM sqlite_schema WHERE name = @name").get({ name: VECTOR_TABLE }) !== undefined;
}
