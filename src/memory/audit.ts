import type { Db } from "./db.js";

/** What an audit entry records: admin actions, then moderation events. */
export type AuditAction =
  | "persona.set"
  | "persona.reset"
  | "cast.add"
  | "cast.remove"
  | "persona.removed"
  | "webhooks.set"
  | "memory.clear"
  | "recall.set"
  | "channel.mode"
  | "user.block"
  | "user.unblock"
  | "limits.set"
  | "moderation.set"
  | "filter.add"
  | "filter.remove"
  | "log_channel.set"
  | "admin_role.add"
  | "admin_role.remove"
  | "scenes.set"
  | "scene.start"
  | "scene.stop"
  | "input.flagged"
  | "output.withheld"
  | "user.rate_limited"
  | "bot.busy"
  | "model.refused"
  | "thread.open"
  | "threads.set"
  | "bot.allow"
  | "bot.deny"
  | "notes.set";

/** Extra facts about an entry, stored as JSON. */
export type AuditDetails = Readonly<Record<string, string | number | boolean | null | readonly string[]>>;

/** An entry about to be recorded. */
export interface NewAuditEntry {
  readonly guildId: string | null;
  readonly channelId: string | null;
  /** Who did it: the admin, or the person whose message it was. */
  readonly actorId: string | null;
  readonly action: AuditAction;
  /** The user, role or channel acted on. */
  readonly targetId?: string | null;
  readonly details?: AuditDetails;
}

export interface AuditEntry extends Required<NewAuditEntry> {
  readonly id: number;
  readonly createdAt: number;
}

interface AuditRow {
  id: number;
  guild_id: string | null;
  channel_id: string | null;
  actor_id: string | null;
  action: AuditAction;
  target_id: string | null;
  details: string;
  created_at: number;
}

const AUDIT_COLUMNS = "id, guild_id, channel_id, actor_id, action, target_id, details, created_at";

function toEntry(row: AuditRow): AuditEntry {
  return {
    id: row.id,
    guildId: row.guild_id,
    channelId: row.channel_id,
    actorId: row.actor_id,
    action: row.action,
    targetId: row.target_id,
    details: JSON.parse(row.details) as AuditDetails,
    createdAt: row.created_at,
  };
}

/** The audit log: append-only, read newest first per server. */
export class AuditStore {
  readonly #insert;
  readonly #latest;
  readonly #count;

  constructor(db: Db) {
    this.#insert = db.prepare<Record<string, string | number | null>, AuditRow>(
      `INSERT INTO audit_log (guild_id, channel_id, actor_id, action, target_id, details, created_at)
       VALUES (@guildId, @channelId, @actorId, @action, @targetId, @details, @now)
       RETURNING ${AUDIT_COLUMNS}`,
    );
    this.#latest = db.prepare<{ guildId: string; limit: number }, AuditRow>(
      `SELECT ${AUDIT_COLUMNS} FROM audit_log WHERE guild_id = @guildId ORDER BY id DESC LIMIT @limit`,
    );
    this.#count = db.prepare<[], { n: number }>("SELECT count(*) AS n FROM audit_log");
  }

  /** Stores an entry and returns it as stored. */
  record(entry: NewAuditEntry): AuditEntry {
    const row = this.#insert.get({
      guildId: entry.guildId,
      channelId: entry.channelId,
      actorId: entry.actorId,
      action: entry.action,
      targetId: entry.targetId ?? null,
      details: JSON.stringify(entry.details ?? {}),
      now: Date.now(),
    });
    if (!row) throw new Error("audit_log INSERT returned no row");
    return toEntry(row);
  }

  /** A server's newest `limit` entries, newest first. */
  latest(guildId: string, limit: number): AuditEntry[] {
    return this.#latest.all({ guildId, limit }).map(toEntry);
  }

  /** Entries in the whole log. */
  count(): number {
    return this.#count.get()?.n ?? 0;
  }
}
