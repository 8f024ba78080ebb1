import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import { afterEach, describe, expect, it } from "vitest";
import { layoutFile } from "../../src/memory/layout.js";
import { type FakeDiscord, startFakeDiscord } from "../fakes/discord-server.js";
import { guildShard } from "../fakes/discord/gateway.js";
import { type FakeModelServer, startFakeModelServer } from "../fakes/openai-server.js";
import { startScriptNodeArgs } from "../helpers/bot-process.js";
import { ALICE, BOB } from "../helpers/stack.js";
import type { Json } from "../fakes/discord/types.js";

/** As `npm start` runs it (after its build step, which the test setup did). */
const MAIN = path.resolve("dist/main.js");
/** Guild ids whose shard (id >> 22) % 2 is 0 and 1. */
const GUILD_ON_SHARD_0 = String(400_000_000_000n << 22n);
const GUILD_ON_SHARD_1 = String(400_000_000_001n << 22n);

function channelTurns(file: string): Array<{ conversation_key: string; content: string }> {
  const db = new Database(file, { readonly: true });
  try {
    return db.prepare("SELECT conversation_key, content FROM turns WHERE role = 'user' ORDER BY id").all() as Array<{
      conversation_key: string;
      content: string;
    }>;
  } finally {
    db.close();
  }
}

/** The pids of a process's children, from /proc (the parent pid is the fourth field of stat). */
function childProcessesOf(pid: number): number[] {
  return readdirSync("/proc")
    .filter((entry) => /^\d+$/.test(entry))
    .filter((entry) => {
      try {
        const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
        return Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]) === pid;
      } catch {
        return false; // gone meanwhile
      }
    })
    .map(Number);
}

describe("sharding (SHARDS=2 under discord.js's ShardingManager)", () => {
  let discord: FakeDiscord;
  let model: FakeModelServer;
  let dir: string;
  let child: ChildProcess | undefined;

  afterEach(async () => {
    child?.kill("SIGKILL");
    await discord.close();
    await model.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("runs two shard processes, each answering its own guilds with its own database, DMs on shard 0; forget-me on shard 1 erases everywhere", async () => {
    expect([guildShard(GUILD_ON_SHARD_0, 2), guildShard(GUILD_ON_SHARD_1, 2)]).toEqual([0, 1]);
    discord = await startFakeDiscord({ shards: 2 });
    model = await startFakeModelServer();
    model.setDefault((request) => ({ text: `echo: ${request.body.messages.at(-1).content}` }));
    const guildA = discord.addGuild({ id: GUILD_ON_SHARD_0, name: "Alpha", members: [{ user: ALICE }] });
    const guildB = discord.addGuild({ id: GUILD_ON_SHARD_1, name: "Beta", members: [{ user: BOB }] });
    dir = mkdtempSync(path.join(tmpdir(), "masque-shards-"));
    const databasePath = path.join(dir, "masque.db");

    let output = "";
    child = spawn(process.execPath, [...startScriptNodeArgs(), MAIN], {
      env: {
        PATH: process.env.PATH ?? "",
        DOTENV_CONFIG_PATH: "/nonexistent/.env",
        LOG_FORMAT: "json",
        LOG_LEVEL: "info",
        DISCORD_TOKEN: discord.token,
        DISCORD_API_URL: discord.apiUrl,
        OPENAI_BASE_URL: model.baseURL,
        DATABASE_PATH: databasePath,
        SHARDS: "2",
        LLM_MAX_CONCURRENCY: "3",
        SHARD_SPAWN_DELAY_MS: "0",
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    child.stdout?.on("data", (d) => (output += d));
    child.stderr?.on("data", (d) => (output += d));
    const exited = new Promise<number | null>((resolve) => child!.on("exit", (code) => resolve(code)));

    await discord
      .waitFor(() => (output.match(/"msg":"ready as /g) ?? []).length === 2, 30_000)
      .catch((error) => {
        throw new Error(`${error}\n${output}`);
      });
    const ready = output
      .split("\n")
      .filter((l) => l.includes('"msg":"ready as '))
      .map((l) => JSON.parse(l));
    // Each shard answers its own server, with half of the machine's LLM_MAX_CONCURRENCY.
    expect(ready.map((r) => [r.shard, r.servers, r.modelSlots]).sort()).toEqual([
      [0, 1, 2],
      [1, 1, 1],
    ]);
    // Each shard process runs with npm start's node flags (its heap settings), as the manager does.
    const shardCommands = childProcessesOf(child.pid!).map((pid) =>
      readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").filter(Boolean),
    );
    expect(shardCommands).toHaveLength(2);
    for (const command of shardCommands) expect(command.slice(1, -1)).toEqual(startScriptNodeArgs());

    const a = guildA.channelId("general");
    const b = guildB.channelId("general");
    const dm = discord.dmChannel(ALICE);
    discord.postMessage({ channelId: a, author: ALICE, content: "hello alpha, my quokkazanzibar", mentionBot: true });
    discord.postMessage({ channelId: b, author: BOB, content: "hello beta", mentionBot: true });
    discord.postMessage({ channelId: b, author: ALICE, content: "beta quokkazanzibar too", mentionBot: true });
    discord.postMessage({ channelId: dm, author: ALICE, content: "hello in private, quokkazanzibar" });
    const answered = (channelId: string, text: string) =>
      discord.channelMessages(channelId).some((m) => m.content.includes(text));
    await discord.waitFor(
      () =>
        answered(a, "Alice: hello alpha") &&
        answered(b, "Bob: hello beta") &&
        answered(b, "Alice: beta") &&
        answered(dm, "Alice: hello in private"),
      15_000,
    );
    // Read while the bot runs (WAL lets a reader in): each shard's servers in its own file, DMs in shard 0's.
    const files = [0, 1].map((shard) => layoutFile(databasePath, 2, shard));
    await discord.waitFor(() => channelTurns(files[0]!).length === 2 && channelTurns(files[1]!).length === 2, 5000);
    expect(
      channelTurns(files[0]!)
        .map((t) => t.conversation_key)
        .sort(),
    ).toEqual([`channel:${a}`, `channel:${dm}`].sort());
    expect(channelTurns(files[1]!).map((t) => t.conversation_key)).toEqual([`channel:${b}`, `channel:${b}`]);

    // forget-me asked on shard 1 reaches shard 0 (the other server and the DMs) through the ShardingManager.
    const asked = discord.interact({
      channelId: b,
      user: ALICE,
      permissions: "0",
      name: "memory",
      options: [{ type: 1, name: "forget-me", options: [] }],
    });
    const confirmation = await discord.waitFor(() => discord.interactionResponses(asked.id)[0]?.body);
    const [confirm] = (
      (confirmation.data as Json).components as Array<{ components: Array<{ custom_id: string }> }>
    ).flatMap((row) => row.components.map((c) => c.custom_id));
    const click = discord.click({ interactionId: asked.id, user: ALICE, customId: confirm! });
    const done = await discord.waitFor(
      () => discord.interactionResponses(click.id).find((r) => r.kind === "edit")?.body,
      15_000,
    );
    expect((done as Json).content).toBe(
      "Done: deleted 3 messages of yours and 3 replies of mine to them.\nErased from the memory of 2 of 2 shards (yours + my replies): shard 0 (with DMs): 2 + 2; shard 1: 1 + 1.",
    );

    child.kill("SIGTERM");
    expect(await exited).toBe(0);
    child = undefined;
    expect(files.map((file) => channelTurns(file).map((t) => t.content))).toEqual([[], ["hello beta"]]);
    // Not a trace in any file of the folder: the databases, their write-ahead logs, anything.
    for (const name of readdirSync(dir))
      expect(readFileSync(path.join(dir, name)).toString("latin1"), name).not.toContain("quokkazanzibar");
  }, 60_000);
});
