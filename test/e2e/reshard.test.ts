import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { layoutFile } from "../../src/memory/layout.js";
import { type FakeDiscord, startFakeDiscord } from "../fakes/discord-server.js";
import { guildShard } from "../fakes/discord/gateway.js";
import type { Json } from "../fakes/discord/types.js";
import { type FakeModelServer, startFakeModelServer } from "../fakes/openai-server.js";
import { type BotProcess, startBotProcess } from "../helpers/bot-process.js";
import { runCli } from "../helpers/run-cli.js";
import { ALICE, BOB, MANAGE_GUILD } from "../helpers/stack.js";

/** A server on shard 1 of 2 and shard 3 of 4 (Discord: shard = (guild_id >> 22) % count), so it moves at every step. */
const GUILD = String(400_000_000_003n << 22n);
const SUBCOMMAND = 1;
const STRING = 3;
const USER = 6;
const START_WAIT_MS = 40_000;
const RESHARD_WAIT_MS = 30_000;

type Chat = Array<{ role: string; content: unknown }>;
const promptText = (messages: Chat) =>
  messages.map((m) => (typeof m.content === "string" ? m.content : JSON.stringify(m.content))).join("\n");

describe("resharding with the real bot: 1 → 2 → 4 shards", () => {
  let discord: FakeDiscord;
  let model: FakeModelServer;
  let dir: string;
  let bot: BotProcess | undefined;

  afterEach(async () => {
    bot?.child.kill("SIGKILL");
    await discord.close();
    await model.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("keeps a server's persona, blocks and memory, and a DM, through npm run reshard; a changed count without it refuses to start", async () => {
    expect([guildShard(GUILD, 2), guildShard(GUILD, 4)]).toEqual([1, 3]);
    discord = await startFakeDiscord();
    model = await startFakeModelServer();
    model.setDefault((request) => ({ text: `noted: ${String(request.body.messages.at(-1).content).slice(0, 40)}` }));
    const guild = discord.addGuild({ id: GUILD, name: "Harbour", members: [{ user: ALICE }, { user: BOB }] });
    const channel = guild.channelId("general");
    const dm = discord.dmChannel(ALICE);
    dir = mkdtempSync(path.join(tmpdir(), "masque-reshard-"));
    const databasePath = path.join(dir, "masque.db");
    const env = (shards?: number): Record<string, string> => ({
      DISCORD_TOKEN: discord.token,
      DISCORD_API_URL: discord.apiUrl,
      OPENAI_BASE_URL: model.baseURL,
      DATABASE_PATH: databasePath,
      SHARD_SPAWN_DELAY_MS: "0",
      ...(shards ? { SHARDS: String(shards) } : {}),
    });
    const start = async (shards?: number) => {
      bot = startBotProcess(env(shards));
      const readyLines = () => (bot!.output().match(/"msg":"ready as /g) ?? []).length;
      await discord
        .waitFor(() => readyLines() === (shards ?? 1), START_WAIT_MS)
        .catch((error) => {
          throw new Error(`${error}\n${bot!.output()}`);
        });
    };
    const stop = async () => {
      bot!.child.kill("SIGTERM");
      expect(await bot!.exited).toBe(0);
      bot = undefined;
    };
    const command = (name: string, options: Json[]) => {
      const interaction = discord.interact({
        channelId: channel,
        user: ALICE,
        permissions: MANAGE_GUILD,
        name,
        options,
      });
      return discord.waitFor(() => discord.interactionResponses(interaction.id).length > 0);
    };
    /** Alice asks in the server and in her DM, Bob (blocked) in the server; resolves with the prompts the model got. */
    const ask = async (question: string) => {
      const before = model.chatRequests().length;
      discord.postMessage({ channelId: channel, author: BOB, content: `${question} (bob)`, mentionBot: true });
      discord.postMessage({ channelId: channel, author: ALICE, content: question, mentionBot: true });
      discord.postMessage({ channelId: dm, author: ALICE, content: `${question} (dm)` });
      const requests = await model.waitForChatRequests(before + 2, RESHARD_WAIT_MS);
      const fresh = requests.slice(before).map((r) => r.body.messages as Chat);
      const inServer = fresh.find(
        (m) => promptText(m).includes(`Alice: ${question}`) && !promptText(m).includes("(dm)"),
      )!;
      const inDm = fresh.find((m) => promptText(m).includes(`${question} (dm)`))!;
      return {
        inServer: promptText(inServer),
        inDm: promptText(inDm),
        all: requests.slice(before).map((r) => promptText(r.body.messages as Chat)),
      };
    };

    await start();
    await command("persona", [
      { type: SUBCOMMAND, name: "set", options: [{ type: STRING, name: "name", value: "quill" }] },
    ]);
    await command("masque", [
      { type: SUBCOMMAND, name: "block", options: [{ type: USER, name: "user", value: BOB.id }] },
    ]);
    const first = await ask("the pelican is called Gertrude");
    expect(first.inServer).toContain("Quill");
    await stop();

    for (const shards of [2, 4]) {
      // A changed count without moving the memory: refused, with the fix named.
      const refused = startBotProcess(env(shards));
      expect(await refused.exited).toBe(1);
      expect(refused.output()).toContain(`npm run reshard -- --to ${shards}`);
      expect(existsSync(layoutFile(databasePath, shards, shards - 1))).toBe(false);

      const moved = await runCli("src/cli/reshard.ts", ["--to", String(shards)], {
        env: env(),
        timeoutMs: RESHARD_WAIT_MS,
      });
      expect(moved.stderr).toBe("");
      expect(moved.stdout).toContain(`Moved 1 server(s)`);
      expect(moved.stdout).toContain(`to ${shards} shard files.`);

      await start(shards);
      const later = await ask(`what is the pelican called, ${shards}?`);
      expect(later.inServer).toContain("Quill"); // the server's persona
      expect(later.inServer).toContain("the pelican is called Gertrude"); // its memory
      expect(later.inDm).toContain("the pelican is called Gertrude (dm)"); // the DM's memory, on shard 0
      expect(later.all.some((prompt) => prompt.includes("(bob)"))).toBe(false); // Bob stays blocked
      await stop();
    }
  }, 240_000);
});
