import type { Db } from "./db.js";

/** How Masque came to open a thread: `/chat`, or the reply to a mention (`/masque threads on`). */
export type ThreadOrigin = "chat" | "mention";

/** A thread Masque opened: with /chat, or for a reply when the server turned threads on. */
export interface MasqueThread {
  readonly threadId: string;
  readonly guildId: string;
  readonly parentId: string;
  /** Who asked for it; empty once that person used /memory forget-me. */
  readonly openedBy: string;
  readonly private: boolean;
  readonly openedAt: number;
  readonly openedWith: ThreadOrigin;
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
  opened_with: ThreadOrigin;
}

/**
 * Stores the threads Masque opened, each answered without a mention. Whether a server opens
 * a thread for the reply to a mention (`/masque threads`) is a server setting (GuildSettingsStore).
 */
export class ThreadStore {
  readonly #get;
  readonly #record;
  readonly #forgetOpener;
  readonly #chatOpenedSince;
  readonly #chatThreadsIn;

  constructor(db: Db) {
    this.#get = db.prepare<{ threadId: string }, ThreadRow>(
      "SELECT thread_id, guild_id, parent_id, opened_by, private, opened_at, opened_with FROM masque_threads WHERE thread_id = @threadId",
    );
    this.#record = db.prepare(
      `INSERT INTO masque_threads (thread_id, guild_id, parent_id, opened_by, private, opened_at, opened_with)
       VALUES (@threadId, @guildId, @parentId, @openedBy, @private, @now, @openedWith) ON CONFLICT (thread_id) DO NOTHING`,
    );
    this.#chatOpenedSince = db
      .prepare<{ guildId: string; userId: string; since: number }, number>(
        `SELECT opened_at FROM masque_threads
          WHERE opened_by = @userId AND guild_id = @guildId AND opened_at >= @since AND opened_with = 'chat' ORDER BY opened_at`,
      )
      .pluck();
    this.#chatThreadsIn = db
      .prepare<{ parentId: string; userId: string; private: number; limit: number }, string>(
        `SELECT thread_id FROM masque_threads
          WHERE opened_by = @userId AND parent_id = @parentId AND private = @private AND opened_with = 'chat' ORDER BY opened_at DESC LIMIT @limit`,
      )
      .pluck();
    this.#forgetOpener = db.prepare("UPDATE masque_threads SET opened_by = @forgotten WHERE opened_by = @userId");
  }

  /** The thread, if Masque opened it. */
  get(threadId: string): MasqueThread | undefined {
    const row = this.#get.get({ threadId });
    if (!row) return undefined;
    return {
      threadId: row.thread_id,
      guildId: row.guild_id,
      parentId: row.parent_id,
      openedBy: row.opened_by,
      private: row.private === 1,
      openedAt: row.opened_at,
      openedWith: row.opened_with,
    };
  }

  isMasqueThread(threadId: string): boolean {
    return this.#get.get({ threadId }) !== undefined;
  }

  /** Records a thread Masque opened (for a mention unless said); returns false when it was known already. */
  record(thread: Omit<MasqueThread, "openedAt" | "openedWith"> & { openedWith?: ThreadOrigin }): boolean {
    return (
      this.#record.run({ openedWith: "mention", ...thread, private: Number(thread.private), now: Date.now() }).changes >
      0
    );
  }

  /** When each thread a person opened with /chat in a server since `since` (ms) was opened, oldest first. */
  chatThreadsOpenedSince(guildId: string, userId: string, since: number): number[] {
    return this.#chatOpenedSince.all({ guildId, userId, since });
  }

  /** The newest `limit` threads a person opened with /chat from a channel, public or private, newest first. */
  chatThreadsIn(parentId: string, userId: string, isPrivate: boolean, limit: number): string[] {
    return this.#chatThreadsIn.all({ parentId, userId, private: Number(isPrivate), limit });
  }

  /** Removes a person's id from the threads they opened (forget-me); returns how many. */
  forgetOpener(userId: string): number {
    return this.#forgetOpener.run({ userId, forgotten: FORGOTTEN_OPENER }).changes;
  }
}
