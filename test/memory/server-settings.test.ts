import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type Db, openDatabase, readMigrations, schemaVersion } from "../../src/memory/db.js";
import { openServerSettings, type ServerSettings } from "../../src/memory/server-settings.js";

const GUILD = "400000000000000001";
const OTHER_GUILD = "400000000000000002";
const ADMIN = "410000000000000001";
const USER = "410000000000000002";

let db: Db;
let store: ServerSettings;

beforeEach(() => {
  db = openDatabase(":memory:");
  store = openServerSettings(db);
});
afterEach(() => db.close());

describe("the moderation migration", () => {
  it("brings a fresh database to the latest version with the moderation tables", () => {
    expect(schemaVersion(db)).toBe(readMigrations().length);
    const tables = db
      .prepare<[], { name: string }>("SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name")
      .all()
      .map((t) => t.name);
    expect(tables).toEqual(
      expect.arrayContaining([
        "admin_roles",
        "audit_log",
        "blocked_users",
        "blocked_words",
        "channel_modes",
        "guild_moderation",
      ]),
    );
  });

  it("rejects a mode or provider outside the allowed values", () => {
    expect(() =>
      db.prepare("INSERT INTO channel_modes (channel_id, guild_id, mode, set_at) VALUES ('1', '2', 'loud', 0)").run(),
    ).toThrow(/CHECK constraint/);
    expect(() =>
      db.prepare("INSERT INTO guild_moderation (guild_id, moderation, updated_at) VALUES ('1', 'aws', 0)").run(),
    ).toThrow(/CHECK constraint/);
    expect(() =>
      db.prepare("INSERT INTO audit_log (action, details, created_at) VALUES ('x', '{not json', 0)").run(),
    ).toThrow(/CHECK constraint/);
  });
});

describe("the server-settings stores", () => {
  it("sets, overwrites, lists and clears channel modes per server", () => {
    store.channelModes.set(GUILD, "500000000000000001", "auto", ADMIN);
    store.channelModes.set(GUILD, "500000000000000001", "off", ADMIN);
    store.channelModes.set(GUILD, "500000000000000002", "mention", ADMIN);
    store.channelModes.set(OTHER_GUILD, "500000000000000003", "auto", ADMIN);
    expect(store.channelModes.get("500000000000000001")).toBe("off");
    expect(store.channelModes.list(GUILD)).toEqual([
      { channelId: "500000000000000001", mode: "off" },
      { channelId: "500000000000000002", mode: "mention" },
    ]);
    expect(store.channelModes.clear("500000000000000001")).toBe(true);
    expect(store.channelModes.clear("500000000000000001")).toBe(false);
    expect(store.channelModes.get("500000000000000001")).toBeUndefined();
  });

  it("merges server settings, and a key given as undefined goes back to the default", () => {
    expect(store.guild.get(GUILD)).toEqual({});
    store.guild.update(GUILD, { rateMessages: 3, rateWindowSeconds: 30 }, ADMIN);
    store.guild.update(GUILD, { moderation: "openai", logChannelId: "500000000000000009" }, ADMIN);
    expect(store.guild.get(GUILD)).toEqual({
      rateMessages: 3,
      rateWindowSeconds: 30,
      autoGapSeconds: undefined,
      moderation: "openai",
      logChannelId: "500000000000000009",
    });
    store.guild.update(GUILD, { logChannelId: undefined, moderation: undefined }, ADMIN);
    expect(store.guild.get(GUILD)).toMatchObject({ rateMessages: 3, moderation: undefined, logChannelId: undefined });
    expect(store.guild.get(OTHER_GUILD)).toEqual({});
  });

  it("blocks and unblocks a user in one server only, reporting whether anything changed", () => {
    expect(store.blockedUsers.block(GUILD, USER, ADMIN, "spam")).toBe(true);
    expect(store.blockedUsers.block(GUILD, USER, ADMIN)).toBe(false);
    expect(store.blockedUsers.isBlocked(GUILD, USER)).toBe(true);
    expect(store.blockedUsers.isBlocked(OTHER_GUILD, USER)).toBe(false);
    expect(store.blockedUsers.list(GUILD)).toEqual([
      { userId: USER, blockedBy: ADMIN, reason: "spam", blockedAt: expect.any(Number) },
    ]);
    expect(store.blockedUsers.unblock(GUILD, USER)).toBe(true);
    expect(store.blockedUsers.unblock(GUILD, USER)).toBe(false);
    expect(store.blockedUsers.list(GUILD)).toEqual([]);
  });

  it("adds and removes admin roles and blocked words per server", () => {
    expect(store.adminRoles.add(GUILD, "420000000000000001", ADMIN)).toBe(true);
    expect(store.adminRoles.add(GUILD, "420000000000000001", ADMIN)).toBe(false);
    expect(store.adminRoles.list(GUILD)).toEqual(["420000000000000001"]);
    expect(store.adminRoles.list(OTHER_GUILD)).toEqual([]);
    expect(store.adminRoles.remove(GUILD, "420000000000000001")).toBe(true);
    expect(store.adminRoles.list(GUILD)).toEqual([]);

    expect(store.blockedWords.add(GUILD, "free nitro", ADMIN)).toBe(true);
    expect(store.blockedWords.add(GUILD, "free nitro", ADMIN)).toBe(false);
    expect(store.blockedWords.add(GUILD, "scam*", ADMIN)).toBe(true);
    expect(store.blockedWords.list(GUILD)).toEqual(["free nitro", "scam*"]);
    expect(store.blockedWords.remove(GUILD, "free nitro")).toBe(true);
    expect(store.blockedWords.remove(GUILD, "free nitro")).toBe(false);
    expect(store.blockedWords.list(GUILD)).toEqual(["scam*"]);
  });
});
