import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type Db, openDatabase, readMigrations, schemaVersion } from "../../src/memory/db.js";
import { ServerSettingsStore } from "../../src/memory/server-settings.js";

const GUILD = "400000000000000001";
const OTHER_GUILD = "400000000000000002";
const ADMIN = "410000000000000001";
const USER = "410000000000000002";

let db: Db;
let store: ServerSettingsStore;

beforeEach(() => {
  db = openDatabase(":memory:");
  store = new ServerSettingsStore(db);
});
afterEach(() => db.close());

describe("the moderation migration", () => {
  it("brings a fresh database to the latest version with the moderation tables", () => {
    expect(schemaVersion(db)).toBe(readMigrations().length);
    const tables = db.prepare<[], { name: string }>("SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name").all().map((t) => t.name);
    expect(tables).toEqual(expect.arrayContaining(["admin_roles", "audit_log", "blocked_users", "blocked_words", "channel_modes", "guild_moderation"]));
  });

  it("rejects a mode or provider outside the allowed values", () => {
    expect(() => db.prepare("INSERT INTO channel_modes (channel_id, guild_id, mode, set_at) VALUES ('1', '2', 'loud', 0)").run()).toThrow(/CHECK constraint/);
    expect(() => db.prepare("INSERT INTO guild_moderation (guild_id, moderation, updated_at) VALUES ('1', 'aws', 0)").run()).toThrow(/CHECK constraint/);
    expect(() => db.prepare("INSERT INTO audit_log (action, details, created_at) VALUES ('x', '{not json', 0)").run()).toThrow(/CHECK constraint/);
  });
});

describe("ServerSettingsStore", () => {
  it("sets, overwrites, lists and clears channel modes per server", () => {
    store.setChannelMode(GUILD, "500000000000000001", "auto", ADMIN);
    store.setChannelMode(GUILD, "500000000000000001", "off", ADMIN);
    store.setChannelMode(GUILD, "500000000000000002", "mention", ADMIN);
    store.setChannelMode(OTHER_GUILD, "500000000000000003", "auto", ADMIN);
    expect(store.channelMode("500000000000000001")).toBe("off");
    expect(store.channelModes(GUILD)).toEqual([
      { channelId: "500000000000000001", mode: "off" },
      { channelId: "500000000000000002", mode: "mention" },
    ]);
    expect(store.clearChannelMode("500000000000000001")).toBe(true);
    expect(store.clearChannelMode("500000000000000001")).toBe(false);
    expect(store.channelMode("500000000000000001")).toBeUndefined();
  });

  it("merges server settings, and a key given as undefined goes back to the default", () => {
    expect(store.guildSettings(GUILD)).toEqual({});
    store.updateGuildSettings(GUILD, { rateMessages: 3, rateWindowSeconds: 30 }, ADMIN);
    store.updateGuildSettings(GUILD, { moderation: "openai", logChannelId: "500000000000000009" }, ADMIN);
    expect(store.guildSettings(GUILD)).toEqual({
      rateMessages: 3,
      rateWindowSeconds: 30,
      autoGapSeconds: undefined,
      moderation: "openai",
      logChannelId: "500000000000000009",
    });
    store.updateGuildSettings(GUILD, { logChannelId: undefined, moderation: undefined }, ADMIN);
    expect(store.guildSettings(GUILD)).toMatchObject({ rateMessages: 3, moderation: undefined, logChannelId: undefined });
    expect(store.guildSettings(OTHER_GUILD)).toEqual({});
  });

  it("blocks and unblocks a user in one server only, reporting whether anything changed", () => {
    expect(store.block(GUILD, USER, ADMIN, "spam")).toBe(true);
    expect(store.block(GUILD, USER, ADMIN)).toBe(false);
    expect(store.isBlocked(GUILD, USER)).toBe(true);
    expect(store.isBlocked(OTHER_GUILD, USER)).toBe(false);
    expect(store.blockedUsers(GUILD)).toEqual([{ userId: USER, blockedBy: ADMIN, reason: "spam", blockedAt: expect.any(Number) }]);
    expect(store.unblock(GUILD, USER)).toBe(true);
    expect(store.unblock(GUILD, USER)).toBe(false);
    expect(store.blockedUsers(GUILD)).toEqual([]);
  });

  it("adds and removes admin roles and blocked words per server", () => {
    expect(store.addAdminRole(GUILD, "420000000000000001", ADMIN)).toBe(true);
    expect(store.addAdminRole(GUILD, "420000000000000001", ADMIN)).toBe(false);
    expect(store.adminRoles(GUILD)).toEqual(["420000000000000001"]);
    expect(store.adminRoles(OTHER_GUILD)).toEqual([]);
    expect(store.removeAdminRole(GUILD, "420000000000000001")).toBe(true);
    expect(store.adminRoles(GUILD)).toEqual([]);

    expect(store.addBlockedWord(GUILD, "free nitro", ADMIN)).toBe(true);
    expect(store.addBlockedWord(GUILD, "free nitro", ADMIN)).toBe(false);
    expect(store.addBlockedWord(GUILD, "scam*", ADMIN)).toBe(true);
    expect(store.blockedWords(GUILD)).toEqual(["free nitro", "scam*"]);
    expect(store.removeBlockedWord(GUILD, "free nitro")).toBe(true);
    expect(store.removeBlockedWord(GUILD, "free nitro")).toBe(false);
    expect(store.blockedWords(GUILD)).toEqual(["scam*"]);
  });
});
