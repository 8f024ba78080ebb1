import { existsSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { type Memory, openMemory } from "../../src/memory/index.js";
import {
  assertLayout,
  claimLayout,
  LayoutError,
  layoutFile,
  recordedLayout,
  shardOf,
} from "../../src/memory/layout.js";
import { reshard } from "../../src/memory/reshard.js";
import { indexedTurnIds, replied, said } from "../helpers/memory.js";
import { tempDirForTest } from "../helpers/temp-dir.js";

/** A guild id whose shard is `n % count` for every count dividing 4 (Discord: shard = (id >> 22) % count). */
const guildNumbered = (n: number) => String(BigInt(400_000_000_000 + n) << 22n);
const GUILDS = [0, 1, 2, 3].map(guildNumbered);

/** One server's memory in every table a reshard must carry, plus a DM. */
function fill(memory: Memory): void {
  for (const [n, guild] of GUILDS.entries()) {
    const key = `channel:${guild}${n}`;
    const ids = memory.turns.append({ key, guildId: guild, channelId: `${guild}${n}` }, [
      said("Ali", `pelican ${n} says hello`, { authorId: "ali" }),
      { ...replied("quill", "Quill", `ahoy ${n}`), messageId: `m-${n}-a`, moreMessageIds: [`m-${n}-b`] },
    ]);
    memory.summaries.saveIfUnchanged(
      { conversationKey: key, content: `summary ${n}`, firstTurnId: ids[0]!, lastTurnId: ids[1]!, tokenCount: 3 },
      { previous: undefined, batchFirstId: ids[0]!, batchLastId: ids[1]!, batchSize: 2 },
    );
    memory.personaChoices.setGuildPersona(guild, "quill", "admin");
    memory.personaChoices.setConversationPersona(`channel:lonely-${n}`, "juniper", "admin");
    memory.audit.record({
      guildId: guild,
      channelId: `lonely-${n}`,
      actorId: "admin",
      action: "persona.set",
      details: { persona: "juniper" },
    });
    memory.serverSettings.blockedUsers.block(guild, "troll", "admin", "spam");
    memory.serverSettings.channelModes.set(guild, `${guild}${n}`, "auto", "admin");
    memory.recall.setServerWide(guild, true, "admin");
  }
  memory.turns.append({ key: "channel:dm-ali" }, [said("Ali", "a private pelican", { authorId: "ali" })]);
  memory.personaChoices.setConversationPersona("channel:dm-ali", "juniper", "ali");
}

/** What a server looks like from its shard's file, as the bot reads it. */
function serverView(memory: Memory, n: number) {
  const guild = GUILDS[n]!;
  const key = `channel:${guild}${n}`;
  const turns = memory.turns.recent(key, 10).sort((a, b) => a.id - b.id);
  return {
    persona: memory.personaChoices.guildPersona(guild),
    channelPersona: memory.personaChoices.conversationPersona(`channel:lonely-${n}`),
    blocked: memory.serverSettings.blockedUsers.isBlocked(guild, "troll"),
    mode: memory.serverSettings.channelModes.get(`${guild}${n}`),
    serverWide: memory.recall.serverWide(guild),
    turns: turns.map((t) => t.content),
    linked: memory.turns.findByMessageId(`m-${n}-b`)?.content,
    summary: memory.summaries.get(key)?.content,
    summaryCovers:
      memory.summaries.get(key)?.firstTurnId === turns[0]?.id && memory.summaries.get(key)?.lastTurnId === turns[1]?.id,
    recalled: indexedTurnIds(memory.db, key, "pelican").length,
    answeredByItsReply:
      memory.db.prepare("SELECT answered_by FROM turns WHERE id = ?").pluck().get(turns[0]?.id) === turns[1]?.id,
    audit: memory.audit.latest(guild, 5).map((e) => e.action),
  };
}

const expectedView = (n: number) => ({
  persona: "quill",
  channelPersona: "juniper",
  blocked: true,
  mode: "auto",
  serverWide: true,
  turns: [`pelican ${n} says hello`, `ahoy ${n}`],
  linked: `ahoy ${n}`,
  summary: `summary ${n}`,
  summaryCovers: true,
  recalled: 1,
  answeredByItsReply: true,
  audit: ["persona.set"],
});

function withMemory<T>(file: string, use: (memory: Memory) => T): T {
  const memory = openMemory(file);
  try {
    return use(memory);
  } finally {
    memory.close();
  }
}

describe("reshard", () => {
  it("moves every server's memory, settings and blocks 1 → 2 → 4 → unsharded, DMs to shard 0, and refuses the old layout meanwhile", () => {
    const databasePath = path.join(tempDirForTest(), "masque.db");
    withMemory(databasePath, (memory) => {
      claimLayout(memory.db, { shards: 0, index: 0 });
      fill(memory);
    });
    expect(() => assertLayout(databasePath, 2)).toThrow(/npm run reshard -- --to 2.*RESHARD=auto/);

    for (const count of [2, 4]) {
      const report = reshard(databasePath, count);
      expect(report.rows.turns).toBe(2 * GUILDS.length + 1);
      expect(report.rows.conversation_settings).toBe(GUILDS.length + 1);
      expect(() => assertLayout(databasePath, count)).not.toThrow();
      for (const n of GUILDS.keys()) {
        const file = layoutFile(databasePath, count, shardOf(GUILDS[n]!, count));
        expect(withMemory(file, (memory) => serverView(memory, n))).toEqual(expectedView(n));
      }
      expect(
        withMemory(layoutFile(databasePath, count, 0), (m) => [
          m.turns.count("channel:dm-ali"),
          m.personaChoices.conversationPersona("channel:dm-ali"),
        ]),
      ).toEqual([1, "juniper"]);
      for (let i = 1; i < count; i++)
        expect(withMemory(layoutFile(databasePath, count, i), (m) => m.turns.count("channel:dm-ali"))).toBe(0);
      expect(existsSync(databasePath)).toBe(false);
    }
    expect(existsSync(layoutFile(databasePath, 4, 3))).toBe(true);

    reshard(databasePath, 0);
    expect([0, 1, 2, 3].map((i) => existsSync(layoutFile(databasePath, 4, i)))).toEqual([false, false, false, false]);
    withMemory(databasePath, (memory) => {
      expect(recordedLayout(memory.db)).toEqual({ shards: 0, index: 0, reshardingTo: null });
      for (const n of GUILDS.keys()) expect(serverView(memory, n).turns).toEqual(expectedView(n).turns);
    });
  });

  it("finishes after a crash between copying a server and deleting it from its old file, without copying it twice", () => {
    const databasePath = path.join(tempDirForTest(), "masque.db");
    withMemory(databasePath, fill);
    // The crash: the copy into shard 1's file commits, then deleting from the old file fails.
    withMemory(databasePath, (memory) =>
      memory.db.exec(
        `CREATE TRIGGER crash BEFORE DELETE ON conversations WHEN old.guild_id = '${GUILDS[1]}' BEGIN SELECT RAISE(ABORT, 'simulated crash'); END`,
      ),
    );
    expect(() => reshard(databasePath, 2)).toThrow(/simulated crash/);
    expect(() => assertLayout(databasePath, 2)).toThrow(
      /A reshard to 2 shards was interrupted.*npm run reshard -- --to 2/,
    );
    expect(() => withMemory(layoutFile(databasePath, 2, 1), (m) => claimLayout(m.db, { shards: 2, index: 1 }))).toThrow(
      LayoutError,
    );
    expect(() => reshard(databasePath, 4)).toThrow(/Finish it first with `npm run reshard -- --to 2`/);
    withMemory(databasePath, (memory) => memory.db.exec("DROP TRIGGER crash"));

    const report = reshard(databasePath, 2);
    expect(report.rows.turns).toBe(2 * GUILDS.length + 1);
    withMemory(layoutFile(databasePath, 2, 1), (memory) =>
      expect(serverView(memory, 1).turns).toEqual(expectedView(1).turns),
    );
    expect(existsSync(databasePath)).toBe(false);
  });

  it("refuses to reshard when some shards' files are on another machine", () => {
    const databasePath = path.join(tempDirForTest(), "masque.db");
    withMemory(layoutFile(databasePath, 2, 0), (memory) => {
      claimLayout(memory.db, { shards: 2, index: 0 });
      fill(memory);
    });
    expect(() => reshard(databasePath, 4)).toThrow(/not here: .*masque\.shard-1\.db\. Gather every shard's file/);
    expect(existsSync(layoutFile(databasePath, 4, 3))).toBe(false);
  });
});
