import type { Db } from "./db.js";

/** A thread Masque opened: with /chat, or for a reply when the server turned threads on. */
export interface MasqueThread {
  readonly threadId: string;
  readonly guildId: string;
  readonly parentId: string;
  /** Who asked for it; empty once that person used /memory forget-me. */
  readonly openedBy: string;
  readonly private: boolean;
  readonly openedAt: number;
}

/** What forget-me leaves in `opened_by`: the thread stays Masque's, but no longer names the person. */
export const FORGOTTEN_OPENER = "";

interface ThreadRow {
  thread_id: string;
  guild_id: string;
  parent_id: string;
  opened_by: string;
  private: number;
  opened_at: number;
}

/**
 * Stores the threads Masque opened, each answered without a mention. Whether a server opens
 * a thread for the reply to a mention (`/masque threads`) is a server setting (ServerSettingsStore).
 */
export class ThreadStore {
  readonly #get;
  readonly #record;
  readonly #forgetOpener;

  constructor(db: Db) {
    this.#get = db.prepare<{ threadId: string }, ThreadRow>(
      "SELECT thread_id, guild_id, parent_id, opened_by, private, opened_at FROM masque_threads WHERE thread_id = @threadId",
    );
    this.#record = db.prepare(
      `INSERT INTO masque_threads (thread_id, guild_id, parent_id, opened_by, private, opened_at)
       VALUES (@threadId, @guildId, @parentId, @openedBy, @private, @now) ON CONFLICT (thread_id) DO NOTHING`,
    );
    this.#forgetOpener = db.prepare("UPDATE masque_threads SET opened_by = @forgotten WHERE opened_by = @userId");
  }

  /** The thread, if Masque opened it. */
  get(threadId: string): MasqueThread | undefined {
    const row = this.#get.get({ threadId });
    if (!row) return undefined;
    return { threadId: row.thread_id, guildId: row.guild_id, parentId: row.parent_id, openedBy: row.opened_by, private: row.private === 1, openedAt: row.opened_at };
  }

  isMasqueThread(threadId: string): boolean {
    return this.#get.get({ threadId }) !== undefined;
  }

  /** Records a thread Masque opened; returns false when it was known already. */
  record(thread: Omit<MasqueThread, "openedAt">): boolean {
    return this.#record.run({ ...thread, private: Number(thread.private), now: Date.now() }).changes > 0;
  }

  /** Removes a person's id from the threads they opened (forget-me); returns how many. */
  forgetOpener(userId: string): number {
    return this.#forgetOpener.run({ userId, forgotten: FORGOTTEN_OPENER }).changes;
  }
}
