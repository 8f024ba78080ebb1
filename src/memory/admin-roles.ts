import type { Db } from "./db.js";

/** The roles a server lets use /masque besides ADMIN_ROLE_IDS; table admin_roles. */
export class AdminRoleStore {
  readonly #add;
  readonly #remove;
  readonly #list;

  constructor(db: Db) {
    this.#add = db.prepare(
      `INSERT INTO admin_roles (guild_id, role_id, added_by, added_at) VALUES (@guildId, @roleId, @addedBy, @now)
       ON CONFLICT (guild_id, role_id) DO NOTHING`,
    );
    this.#remove = db.prepare("DELETE FROM admin_roles WHERE guild_id = @guildId AND role_id = @roleId");
    this.#list = db.prepare<{ guildId: string }, { role_id: string }>(
      "SELECT role_id FROM admin_roles WHERE guild_id = @guildId ORDER BY added_at, role_id",
    );
  }

  /** Returns false when the role was already an admin role. */
  add(guildId: string, roleId: string, addedBy: string): boolean {
    return this.#add.run({ guildId, roleId, addedBy, now: Date.now() }).changes > 0;
  }

  /** Returns false when the role was not an admin role. */
  remove(guildId: string, roleId: string): boolean {
    return this.#remove.run({ guildId, roleId }).changes > 0;
  }

  list(guildId: string): string[] {
    return this.#list.all({ guildId }).map((row) => row.role_id);
  }
}
