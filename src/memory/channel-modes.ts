import type { Db } from "./db.js";

/** How the bot behaves in a channel: ignores it, answers mentions and replies, or answers everything. */
export type ChannelMode = "off" | "mention" | "auto";
export const CHANNEL_MODES: readonly ChannelMode[] = ["off", "mention", "auto"];

/** The mode an admin set for a channel or thread (`/masque channel`); table channel_modes. */
export class ChannelModeStore {
  readonly #get;
  readonly #set;
  readonly #clear;
  readonly #list;

  constructor(db: Db) {
    this.#get = db.prepare<{ channelId: string }, { mode: ChannelMode }>(
      "SELECT mode FROM channel_modes WHERE channel_id = @channelId",
    );
    this.#set = db.prepare(
      `INSERT INTO channel_modes (channel_id, guild_id, mode, set_by, set_at) VALUES (@channelId, @guildId, @mode, @setBy, @now)
       ON CONFLICT (channel_id) DO UPDATE SET mode = excluded.mode, set_by = excluded.set_by, set_at = excluded.set_at`,
    );
    this.#clear = db.prepare("DELETE FROM channel_modes WHERE channel_id = @channelId");
    this.#list = db.prepare<{ guildId: string }, { channel_id: string; mode: ChannelMode }>(
      "SELECT channel_id, mode FROM channel_modes WHERE guild_id = @guildId ORDER BY channel_id",
    );
  }

  /** The mode set for exactly this channel or thread (no inheritance). */
  get(channelId: string): ChannelMode | undefined {
    return this.#get.get({ channelId })?.mode;
  }

  set(guildId: string, channelId: string, mode: ChannelMode, setBy: string): void {
    this.#set.run({ guildId, channelId, mode, setBy, now: Date.now() });
  }

  /** Returns whether a setting was removed. */
  clear(channelId: string): boolean {
    return this.#clear.run({ channelId }).changes > 0;
  }

  /** Every channel and thread of a server with a mode of its own. */
  list(guildId: string): Array<{ channelId: string; mode: ChannelMode }> {
    return this.#list.all({ guildId }).map((row) => ({ channelId: row.channel_id, mode: row.mode }));
  }
}
