import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import { afterEach, describe, expect, it } from "vitest";
import { INTERRUPTED_MARK } from "../../src/chat/prompt.js";
import { loadPersonaFile } from "../../src/personas/registry.js";
import { type FakeDiscord, startFakeDiscord } from "../fakes/discord-server.js";
import { type FakeModelServer, startFakeModelServer } from "../fakes/openai-server.js";
import { type BotProcess, startBotProcess, waitForOutput } from "../helpers/bot-process.js";
import { E2E_WAIT_MS, type TurnRow, turnRows } from "../helpers/e2e.js";
import { ALICE, MANAGE_GUILD } from "../helpers/stack.js";

/** A reply that streams for about ten seconds: long enough to be killed in the middle of it. */
const LONG_REPLY = Array.from({ length: 100 }, (_, i) => `knot ${i + 1}, `);
const LONG_REPLY_CHUNK_DELAY_MS = 100;
/** Two bot starts and a reply killed midway: more than the default e2e timeout on a loaded machine. */
const CRASH_TEST_TIMEOUT_MS = 45_000;

function quillGreeting(): string {
  const result = loadPersonaFile("personas", "quill.md");
  if (result.kind !== "persona" || !result.persona.greeting)
    throw new Error("personas/quill.md should load with a greeting");
  return result.persona.greeting;
}

/** What a killed process left on disk, read with a connection of this test's own. */
function inspect(databasePath: string): {
  integrity: unknown;
  foreignKeyProblems: unknown[];
  turns: TurnRow[];
  channelPersonas: unknown[];
} {
  const db = new Database(databasePath, { readonly: true, fileMustExist: true });
  try {
    return {
      integrity: db.pragma("integrity_check", { simple: true }),
      foreignKeyProblems: db.pragma("foreign_key_check") as unknown[],
      turns: turnRows(db),
      channelPersonas: db.prepare("SELECT conversation_key, persona_id, set_by FROM conversation_settings").all(),
    };
  } finally {
    db.close();
  }
}

describe("the bot process killed in the middle of a reply", () => {
  let discord: FakeDiscord | undefined;
  let model: FakeModelServer | undefined;
  let dir: string | undefined;
  const bots: BotProcess[] = [];

  afterEach(async () => {
    for (const bot of bots.splice(0)) bot.child.kill("SIGKILL");
    await discord?.close();
    await model?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
    [discord, model, dir] = [undefined, undefined, undefined];
  });

  it(
    "restarts on a sound database with its settings, and the conversation goes on",
    async () => {
      discord = await startFakeDiscord();
      model = await startFakeModelServer();
      const fakeDiscord = discord;
      const guild = discord.addGuild({ name: "Harbour", members: [{ user: ALICE }] });
      const channel = guild.channelId("general");
      const conversation = `channel:${channel}`;
      dir = mkdtempSync(path.join(tmpdir(), "masque-crash-"));
      const databasePath = path.join(dir, "masque.db");
      const env = {
        DISCORD_TOKEN: discord.token,
        DISCORD_API_URL: discord.apiUrl,
        OPENAI_BASE_URL: model.baseURL,
        OPENAI_API_KEY: "sk-crash-test-key",
        DATABASE_PATH: databasePath,
      };
      const botText = () =>
        fakeDiscord
          .channelMessages(channel)
          .filter((m) => (m.author as { id: string }).id === fakeDiscord.botUser.id)
          .map((m) => m.content);
      const greeting = quillGreeting();

      const first = startBotProcess(env);
      bots.push(first);
      await waitForOutput(first.output, /ready as Masque/);
      const set = discord.interact({
        channelId: channel,
        user: ALICE,
        permissions: MANAGE_GUILD,
        name: "persona",
        options: [{ type: 1, name: "set", options: [{ type: 3, name: "name", value: "quill" }] }],
      });
      await discord.waitFor(
        () => discord!.interactionResponses(set.id).length > 0 && botText().includes(greeting),
        E2E_WAIT_MS,
      );
      // The greeting is stored once Discord has it; a message is stored when accepted: let the greeting land first.
      await discord.waitFor(() => inspect(databasePath).turns.length === 1, E2E_WAIT_MS);
      model.enqueue({ text: "Arr, ahoy." }, { chunks: LONG_REPLY, chunkDelayMs: LONG_REPLY_CHUNK_DELAY_MS });
      discord.postMessage({ channelId: channel, author: ALICE, content: "hello captain", mentionBot: true });
      await discord.waitFor(() => botText().includes("Arr, ahoy."), E2E_WAIT_MS);

      discord.postMessage({ channelId: channel, author: ALICE, content: "tell me a long tale", mentionBot: true });
      // The long reply is on Discord and has been edited since it was posted: the bot is mid-stream
      // and has noted the message (a kill between Discord taking a post and the bot hearing back
      // would leave the reply's message unknown to the next start).
      const posted = await discord.waitFor(() => botText().find((text) => text.startsWith("knot 1,")), E2E_WAIT_MS);
      await discord.waitFor(() => botText().some((text) => text.startsWith("knot 1,") && text !== posted), E2E_WAIT_MS);
      first.child.kill("SIGKILL");
      expect(await first.exited).toBeNull();

      // The message was kept when it was accepted, and the reply was noted as in flight; nothing half-written.
      const earlier = [
        {
          conversation,
          role: "assistant",
          author: "Captain Quill",
          content: greeting,
          status: "complete",
          messageId: expect.any(String),
        },
        {
          conversation,
          role: "user",
          author: "Alice",
          content: "hello captain",
          status: "complete",
          messageId: expect.any(String),
        },
        {
          conversation,
          role: "assistant",
          author: "Captain Quill",
          content: "Arr, ahoy.",
          status: "complete",
          messageId: expect.any(String),
        },
        {
          conversation,
          role: "user",
          author: "Alice",
          content: "tell me a long tale",
          status: "complete",
          messageId: expect.any(String),
        },
      ];
      expect(inspect(databasePath)).toEqual({
        integrity: "ok",
        foreignKeyProblems: [],
        turns: earlier,
        channelPersonas: [{ conversation_key: conversation, persona_id: "quill", set_by: ALICE.id }],
      });

      const second = startBotProcess(env);
      bots.push(second);
      await waitForOutput(second.output, /ready as Masque/);
      // At the start, the cut reply is stored as far as Discord shows it, interrupted, and marked as cut on Discord.
      const cut = botText().find((text) => text.startsWith("knot 1,"))!;
      expect(cut).toMatch(/^knot 1, .*\n\n\*\(cut short: I was restarted while writing this\)\*$/s);
      const shownBeforeTheKill = cut.slice(0, cut.indexOf("\n\n*("));
      model.enqueue({ text: "Where was I? Ah, the knots." });
      discord.postMessage({ channelId: channel, author: ALICE, content: "are you back?", mentionBot: true });
      await discord.waitFor(() => botText().includes("Where was I? Ah, the knots."), E2E_WAIT_MS);

      const [system, ...history] = model.chatRequests()[2]!.body.messages;
      expect(system.content).toContain("You are Captain Quill");
      expect(history).toEqual([
        { role: "assistant", content: greeting },
        { role: "user", content: "Alice: hello captain" },
        { role: "assistant", content: "Arr, ahoy." },
        { role: "user", content: "Alice: tell me a long tale" },
        { role: "assistant", content: `${shownBeforeTheKill}\n${INTERRUPTED_MARK}` },
        { role: "user", content: "Alice: are you back?" },
      ]);
      second.child.kill("SIGTERM");
      expect(await second.exited).toBe(0);
      expect(inspect(databasePath)).toMatchObject({
        integrity: "ok",
        turns: [
          ...earlier,
          { role: "assistant", content: shownBeforeTheKill, status: "interrupted" },
          { role: "user", content: "are you back?" },
          { role: "assistant", content: "Where was I? Ah, the knots." },
        ],
      });
    },
    CRASH_TEST_TIMEOUT_MS,
  );
});
