import { AllowedBotStore } from "./allowed-bots.js";
import { AuditStore } from "./audit.js";
import { CastStore } from "./cast.js";
import { type Db, openDatabase } from "./db.js";
import { MemoryEraser } from "./forget.js";
import { InFlightStore } from "./in-flight.js";
import { claimLayout, type Layout } from "./layout.js";
import { RecallStore } from "./recall.js";
import { openServerSettings, type ServerSettings } from "./server-settings.js";
import { PersonaChoiceStore } from "./persona-choices.js";
import { PersonNoteStore } from "./person-notes.js";
import { SummaryStore } from "./summaries.js";
import { ThreadStore } from "./threads.js";
import { TurnStore } from "./turns.js";
import { VectorStore } from "./vectors.js";

/** The open database and its repositories. */
export interface Memory {
  readonly db: Db;
  readonly turns: TurnStore;
  /** Which persona is chosen per conversation and per server. */
  readonly personaChoices: PersonaChoiceStore;
  /** The personas that answer beside the lead persona, per conversation. */
  readonly casts: CastStore;
  /** What server admins set with /masque: channel modes, limits, blocks, blocked words, admin roles. */
  readonly serverSettings: ServerSettings;
  readonly audit: AuditStore;
  /** The threads Masque opened, and whether a mention opens one (`/masque threads`). */
  readonly threads: ThreadStore;
  /** Other bots a server lets Masque answer (`/masque bots`). */
  readonly allowedBots: AllowedBotStore;
  readonly summaries: SummaryStore;
  readonly recall: RecallStore;
  /** What the note pass keeps about each person, and their choice about it. */
  readonly personNotes: PersonNoteStore;
  /** Turns' embedding vectors (EMBEDDING_MODEL), for recall by meaning. */
  readonly vectors: VectorStore;
  readonly eraser: MemoryEraser;
  /** Replies being written; what is left at start-up was cut short by a crash. */
  readonly inFlight: InFlightStore;
  close(): void;
}

/**
 * Opens (and migrates) the database and prepares the repositories' statements once. With
 * `layout`, the file must belong to that shard layout (it records it the first time).
 */
export function openMemory(databasePath: string, layout?: Layout): Memory {
  const db = openDatabase(databasePath);
  if (layout) {
    try {
      claimLayout(db, layout);
    } catch (error) {
      db.close();
      throw error;
    }
  }
  const summaries = new SummaryStore(db);
  const threads = new ThreadStore(db);
  const personNotes = new PersonNoteStore(db);
  return {
    db,
    turns: new TurnStore(db),
    personaChoices: new PersonaChoiceStore(db),
    casts: new CastStore(db),
    serverSettings: openServerSettings(db),
    audit: new AuditStore(db),
    threads,
    allowedBots: new AllowedBotStore(db),
    summaries,
    recall: new RecallStore(db),
    personNotes,
    vectors: new VectorStore(db),
    eraser: new MemoryEraser(db, summaries, threads, personNotes),
    inFlight: new InFlightStore(db),
    close: () => {
      if (db.open) db.close();
    },
  };
}
