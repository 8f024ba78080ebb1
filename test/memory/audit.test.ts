import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { AuditStore } from "../../src/memory/audit.js";
import { type Db, openDatabase } from "../../src/memory/db.js";

const GUILD = "400000000000000001";
const OTHER_GUILD = "400000000000000002";
const CHANNEL = "500000000000000001";
const ADMIN = "410000000000000001";
const USER = "410000000000000002";

let db: Db;
let audit: AuditStore;

beforeEach(() => {
  db = openDatabase(":memory:");
  audit = new AuditStore(db);
});
afterEach(() => db.close());

describe("AuditStore", () => {
  it("records who, what, where and when, with details as JSON, and returns the stored entry", () => {
    const before = Date.now();
    const input = {
      guildId: GUILD,
      channelId: CHANNEL,
      actorId: ADMIN,
      action: "user.block",
      targetId: USER,
      details: { reason: "spam", categories: ["harassment"] },
    } as const;
    const entry = audit.record(input);
    expect(entry).toEqual({ id: 1, ...input, createdAt: expect.any(Number) });
    // Read back, the details come out of the JSON column equal to what went in.
    expect(audit.latest(GUILD, 1)).toEqual([entry]);
    expect(entry.createdAt).toBeGreaterThanOrEqual(before);
  });

  it("lists a server's newest entries first, up to the limit, and never another server's", () => {
    for (const action of ["channel.mode", "user.block", "limits.set"] as const) {
      audit.record({ guildId: GUILD, channelId: CHANNEL, actorId: ADMIN, action });
    }
    audit.record({ guildId: OTHER_GUILD, channelId: null, actorId: ADMIN, action: "user.unblock" });
    audit.record({ guildId: null, channelId: null, actorId: USER, action: "input.flagged" });
    expect(audit.latest(GUILD, 2).map((e) => e.action)).toEqual(["limits.set", "user.block"]);
    expect(audit.latest(GUILD, 10)).toHaveLength(3);
    expect(audit.latest(GUILD, 10)[0]).toMatchObject({ targetId: null, details: {} });
    expect(audit.count()).toBe(5);
  });
});
