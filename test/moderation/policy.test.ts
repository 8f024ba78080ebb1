import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type Db, openDatabase } from "../../src/memory/db.js";
import { openServerSettings, type ServerSettings } from "../../src/memory/server-settings.js";
import { ModerationPolicy } from "../../src/moderation/policy.js";

const GUILD = "400000000000000001";
const CHANNEL = "500000000000000001";
const THREAD = "500000000000000002";
const ADMIN = "410000000000000001";

let db: Db;
let store: ServerSettings;
let policy: ModerationPolicy;

beforeEach(() => {
  db = openDatabase(":memory:");
  store = openServerSettings(db);
  policy = new ModerationPolicy(store, "off");
});
afterEach(() => db.close());

describe("ModerationPolicy", () => {
  it("resolves a thread's mode: its own, else its channel's, else mention", () => {
    expect(policy.channelMode(THREAD, CHANNEL)).toEqual({ mode: "mention", source: "default" });
    store.channelModes.set(GUILD, CHANNEL, "auto", ADMIN);
    expect(policy.channelMode(THREAD, CHANNEL)).toEqual({ mode: "auto", source: "parent" });
    store.channelModes.set(GUILD, THREAD, "off", ADMIN);
    expect(policy.channelMode(THREAD, CHANNEL)).toEqual({ mode: "off", source: "channel" });
    expect(policy.channelMode(CHANNEL)).toEqual({ mode: "auto", source: "channel" });
  });

  it("fills limits with the defaults and turns them into a rate limit and a gap in ms", () => {
    expect(policy.limits(null)).toEqual({ rateMessages: 5, rateWindowSeconds: 60, autoGapSeconds: 10 });
    store.guild.update(GUILD, { rateMessages: 2, autoGapSeconds: 0 }, ADMIN);
    expect(policy.rateLimit(GUILD)).toEqual({ messages: 2, windowMs: 60_000 });
    expect(policy.autoGapMs(GUILD)).toBe(0);
  });

  it("uses the server's provider choice over MODERATION, and blocked words in servers only", () => {
    expect(policy.provider(GUILD)).toEqual({ provider: "off", isServerChoice: false });
    store.guild.update(GUILD, { moderation: "openai" }, ADMIN);
    store.blockedWords.add(GUILD, "free nitro", ADMIN);
    expect(policy.contentRules(GUILD)).toEqual({ blockedWords: ["free nitro"], provider: "openai" });
    expect(new ModerationPolicy(store, "openai").contentRules(null)).toEqual({ blockedWords: [], provider: "openai" });
  });

  it("never treats DMs as blocked", () => {
    store.blockedUsers.block(GUILD, ADMIN, ADMIN);
    expect(policy.isBlocked(GUILD, ADMIN)).toBe(true);
    expect(policy.isBlocked(null, ADMIN)).toBe(false);
  });
});
