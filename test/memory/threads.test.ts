import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type Memory, openMemory } from "../../src/memory/index.js";
import { said } from "../helpers/memory.js";

const GUILD = "100000000000000001";
const CHANNEL = "100000000000000010";
const THREAD = "100000000000000011";
const ALI = "310000000000000001";
const ADMIN = "310000000000000009";
const OTHER_BOT = "410000000000000001";

let memory: Memory;
beforeEach(() => {
  memory = openMemory(":memory:");
});
afterEach(() => memory.close());

describe("Masque's threads and the threads-on-mention switch", () => {
  it("records a thread once, with who opened it and whether it is private", () => {
    expect(memory.threads.isMasqueThread(THREAD)).toBe(false);
    expect(
      memory.threads.record({ threadId: THREAD, guildId: GUILD, parentId: CHANNEL, openedBy: ALI, private: true }),
    ).toBe(true);
    expect(
      memory.threads.record({ threadId: THREAD, guildId: GUILD, parentId: CHANNEL, openedBy: ADMIN, private: false }),
    ).toBe(false);
    expect(memory.threads.get(THREAD)).toMatchObject({
      threadId: THREAD,
      guildId: GUILD,
      parentId: CHANNEL,
      openedBy: ALI,
      private: true,
    });
    expect(memory.threads.isMasqueThread(THREAD)).toBe(true);
  });

  it("is off until an admin turns it on, and survives other server settings being changed", () => {
    const threadsOnMention = () => memory.serverSettings.guild.get(GUILD).threadsOnMention === true;
    expect(threadsOnMention()).toBe(false);
    memory.serverSettings.guild.update(GUILD, { threadsOnMention: true }, ADMIN);
    memory.serverSettings.guild.update(GUILD, { rateMessages: 3 }, ADMIN);
    expect(threadsOnMention()).toBe(true);
    expect(memory.serverSettings.guild.get(GUILD).rateMessages).toBe(3);
    memory.serverSettings.guild.update(GUILD, { threadsOnMention: false }, ADMIN);
    expect(threadsOnMention()).toBe(false);
    expect(memory.serverSettings.guild.get(GUILD).rateMessages).toBe(3);
  });

  it("forget-me takes the person's id off the threads they opened; the thread stays Masque's", async () => {
    memory.threads.record({ threadId: THREAD, guildId: GUILD, parentId: CHANNEL, openedBy: ALI, private: false });
    memory.turns.append({ key: `channel:${THREAD}`, guildId: GUILD }, [said("Ali", "hello", { authorId: ALI })]);
    await memory.eraser.forgetPerson(ALI);
    expect(memory.threads.get(THREAD)?.openedBy).toBe("");
    expect(memory.threads.isMasqueThread(THREAD)).toBe(true);
    const stored = memory.db.prepare("SELECT COUNT(*) AS n FROM masque_threads WHERE opened_by = ?").get(ALI) as {
      n: number;
    };
    expect(stored.n).toBe(0);
  });
});

describe("the threads a person opened with /chat", () => {
  it("counts and finds only /chat's threads, the opener's, by channel and privacy, newest first", () => {
    const before = Date.now();
    const record = (
      threadId: string,
      options: { by?: string; parentId?: string; private?: boolean; openedWith?: "chat" | "mention" } = {},
    ) =>
      memory.threads.record({
        threadId,
        guildId: GUILD,
        parentId: options.parentId ?? CHANNEL,
        openedBy: options.by ?? ALI,
        private: options.private ?? false,
        openedWith: options.openedWith ?? "chat",
      });
    record("1");
    record("2");
    record("3", { private: true });
    record("4", { parentId: "100000000000000020" });
    record("5", { openedWith: "mention" });
    record("6", { by: ADMIN });
    expect(memory.threads.get("5")?.openedWith).toBe("mention");
    expect(memory.threads.chatThreadsOpenedSince(GUILD, ALI, before)).toHaveLength(4);
    expect(memory.threads.chatThreadsOpenedSince(GUILD, ALI, Date.now() + 1)).toEqual([]);
    expect(memory.threads.chatThreadsOpenedSince("100000000000000002", ALI, before)).toEqual([]);
    // Opened in the same millisecond they tie; the set is what matters here.
    expect(memory.threads.chatThreadsIn(CHANNEL, ALI, false, 5).sort()).toEqual(["1", "2"]);
    expect(memory.threads.chatThreadsIn(CHANNEL, ALI, true, 5)).toEqual(["3"]);
    expect(memory.threads.chatThreadsIn(CHANNEL, ALI, false, 1)).toHaveLength(1);
  });
});

describe("allowed bots", () => {
  it("allows a named bot per server until denied, listing who allowed it", () => {
    expect(memory.allowedBots.isAllowed(GUILD, OTHER_BOT)).toBe(false);
    expect(memory.allowedBots.allow(GUILD, OTHER_BOT, ADMIN)).toBe(true);
    expect(memory.allowedBots.allow(GUILD, OTHER_BOT, ADMIN)).toBe(false);
    expect(memory.allowedBots.isAllowed(GUILD, OTHER_BOT)).toBe(true);
    expect(memory.allowedBots.isAllowed("100000000000000002", OTHER_BOT)).toBe(false);
    expect(memory.allowedBots.list(GUILD)).toMatchObject([{ botId: OTHER_BOT, allowedBy: ADMIN }]);
    expect(memory.allowedBots.deny(GUILD, OTHER_BOT)).toBe(true);
    expect(memory.allowedBots.deny(GUILD, OTHER_BOT)).toBe(false);
    expect(memory.allowedBots.list(GUILD)).toEqual([]);
  });

  it("keeps an admin's allow through their forget-me, as it keeps the audit log: an accountability record, not their words", async () => {
    memory.allowedBots.allow(GUILD, OTHER_BOT, ADMIN);
    await memory.eraser.forgetPerson(ADMIN);
    expect(memory.allowedBots.list(GUILD)).toMatchObject([{ botId: OTHER_BOT, allowedBy: ADMIN }]);
  });
});
