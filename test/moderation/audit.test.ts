import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { silentLogger } from "../../src/log.js";
import { AuditStore } from "../../src/memory/audit.js";
import { type Db, openDatabase } from "../../src/memory/db.js";
import { GuildSettingsStore } from "../../src/memory/guild-settings.js";
import { Auditor, describeAuditEntry, MAX_AUDIT_LINE_CHARS } from "../../src/moderation/audit.js";

const GUILD = "400000000000000001";
const CHANNEL = "500000000000000001";
const LOG_CHANNEL = "500000000000000009";
const ADMIN = "410000000000000001";
const USER = "410000000000000002";
const CREATED_AT = 1_700_000_000_000;

const entry = (fields: Partial<Parameters<typeof describeAuditEntry>[0]>) =>
  describeAuditEntry({
    id: 1,
    guildId: GUILD,
    channelId: CHANNEL,
    actorId: ADMIN,
    action: "user.block",
    targetId: USER,
    details: {},
    createdAt: CREATED_AT,
    ...fields,
  });

describe("describeAuditEntry", () => {
  it("says when, who, what, to whom, where, and the details", () => {
    expect(entry({ details: { reason: "spam `and` more" } })).toBe(
      `<t:1700000000:f> <@${ADMIN}> blocked <@${USER}> in <#${CHANNEL}> (reason \`spam 'and' more\`)`,
    );
    expect(entry({ action: "admin_role.add", targetId: "420000000000000001" })).toBe(
      `<t:1700000000:f> <@${ADMIN}> added the admin role <@&420000000000000001> in <#${CHANNEL}>`,
    );
    expect(entry({ action: "log_channel.set", targetId: null })).toBe(
      `<t:1700000000:f> <@${ADMIN}> changed the log channel to (none) in <#${CHANNEL}>`,
    );
    expect(entry({ action: "channel.mode", targetId: CHANNEL, details: { mode: "auto" } })).toBe(
      `<t:1700000000:f> <@${ADMIN}> changed the mode of <#${CHANNEL}> (mode \`auto\`)`,
    );
    expect(
      entry({
        action: "output.withheld",
        actorId: USER,
        targetId: null,
        details: { source: "openai", reasons: ["hate", "violence"] },
      }),
    ).toBe(
      `<t:1700000000:f> <@${USER}> got a reply that was withheld by the content checks in <#${CHANNEL}> (source \`openai\`, reasons \`hate, violence\`)`,
    );
  });

  it("cuts a line that would be too long", () => {
    const line = entry({ details: { reason: "x".repeat(1000) } });
    expect(line).toHaveLength(MAX_AUDIT_LINE_CHARS);
    expect(line.endsWith("…")).toBe(true);
  });
});

describe("Auditor", () => {
  let db: Db;
  beforeEach(() => {
    db = openDatabase(":memory:");
  });
  afterEach(() => db.close());

  it("stores every entry and mirrors it only where the server has a log channel", async () => {
    const settings = new GuildSettingsStore(db);
    const posts: Array<[string, string]> = [];
    const auditor = new Auditor(
      new AuditStore(db),
      settings,
      async (channelId, content) => posts.push([channelId, content]),
      silentLogger,
    );
    auditor.record({ guildId: GUILD, channelId: CHANNEL, actorId: ADMIN, action: "user.unblock", targetId: USER });
    settings.update(GUILD, { logChannelId: LOG_CHANNEL }, ADMIN);
    const mirrored = auditor.record({
      guildId: GUILD,
      channelId: CHANNEL,
      actorId: ADMIN,
      action: "user.block",
      targetId: USER,
    });
    auditor.record({ guildId: null, channelId: "500000000000000003", actorId: USER, action: "user.rate_limited" });
    expect(posts).toEqual([[LOG_CHANNEL, describeAuditEntry(mirrored)]]);
    expect(new AuditStore(db).count()).toBe(3);
  });

  it("keeps the entry when the mirror fails", async () => {
    const settings = new GuildSettingsStore(db);
    settings.update(GUILD, { logChannelId: LOG_CHANNEL }, ADMIN);
    const auditor = new Auditor(
      new AuditStore(db),
      settings,
      () => Promise.reject(new Error("Missing Access")),
      silentLogger,
    );
    expect(
      auditor.record({ guildId: GUILD, channelId: CHANNEL, actorId: ADMIN, action: "user.block", targetId: USER }).id,
    ).toBe(1);
    await new Promise((resolve) => setImmediate(resolve));
    expect(new AuditStore(db).count()).toBe(1);
  });
});
