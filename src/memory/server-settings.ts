import { AdminRoleStore } from "./admin-roles.js";
import { BlockedUserStore } from "./blocked-users.js";
import { BlockedWordStore } from "./blocked-words.js";
import { ChannelModeStore } from "./channel-modes.js";
import type { Db } from "./db.js";
import { GuildSettingsStore } from "./guild-settings.js";

/** What server admins set with /masque, one store per table. */
export interface ServerSettings {
  readonly channelModes: ChannelModeStore;
  /** Limits, content checks and the webhooks, threads, scenes and notes switches. */
  readonly guild: GuildSettingsStore;
  readonly blockedUsers: BlockedUserStore;
  readonly adminRoles: AdminRoleStore;
  readonly blockedWords: BlockedWordStore;
}

/** Prepares the server-settings stores' statements once. */
export function openServerSettings(db: Db): ServerSettings {
  return {
    channelModes: new ChannelModeStore(db),
    guild: new GuildSettingsStore(db),
    blockedUsers: new BlockedUserStore(db),
    adminRoles: new AdminRoleStore(db),
    blockedWords: new BlockedWordStore(db),
  };
}
