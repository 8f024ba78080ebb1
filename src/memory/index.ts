import { AuditStore } from "./audit.js";
import { type Db, openDatabase } from "./db.js";
import { ModerationStore } from "./moderation.js";
import { SettingsStore } from "./settings.js";
import { TurnStore } from "./turns.js";

/** The open database and its repositories. */
export interface Memory {
  readonly db: Db;
  readonly turns: TurnStore;
  readonly settings: SettingsStore;
  readonly moderation: ModerationStore;
  readonly audit: AuditStore;
  close(): void;
}

/** Opens (and migrates) the database and prepares the repositories' statements once. */
export function openMemory(databasePath: string): Memory {
  const db = openDatabase(databasePath);
  return {
    db,
    turns: new TurnStore(db),
    settings: new SettingsStore(db),
    moderation: new ModerationStore(db),
    audit: new AuditStore(db),
    close: () => {
      if (db.open) db.close();
    },
  };
}
