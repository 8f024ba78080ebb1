import type { ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { type FakeDiscord, startFakeDiscord } from "../fakes/discord-server.js";
import { type FakeModelServer, startFakeModelServer } from "../fakes/openai-server.js";
import { startBotProcess as startProcess, waitForOutput } from "../helpers/bot-process.js";
import { ALICE } from "../helpers/stack.js";

const API_KEY = "sk-process-test-secret-9876543210";

describe("the bot as a separate process (npm start)", () => {
  let discord: FakeDiscord | undefined;
  let model: FakeModelServer | undefined;
  let dir: string | undefined;
  let child: ChildProcess | undefined;

  afterEach(async () => {
    child?.kill("SIGKILL");
    await discord?.close();
    await model?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
    [child, discord, model, dir] = [undefined, undefined, undefined, undefined];
  });

  it("starts, logs one ready line, answers a mention, and stops cleanly on SIGTERM without leaking secrets", async () => {
    discord = await startFakeDiscord();
    model = await startFakeModelServer();
    const guild = discord.addGuild({ name: "Process Server", members: [{ user: ALICE }] });
    dir = mkdtempSync(path.join(tmpdir(), "masque-proc-"));
    model.enqueue({ text: "Hello from a real process." });
    const bot = startProcess({
      DISCORD_TOKEN: discord.token,
      DISCORD_API_URL: discord.apiUrl,
      OPENAI_BASE_URL: model.baseURL,
      OPENAI_API_KEY: API_KEY,
      DATABASE_PATH: path.join(dir, "db", "masque.db"),
      LOG_LEVEL: "debug",
    });
    child = bot.child;
    await waitForOutput(bot.output, /ready as Masque/);
    const ready = bot
      .output()
      .split("\n")
      .filter((l) => l.includes("ready as"));
    expect(ready).toHaveLength(1);
    expect(JSON.parse(ready[0]!)).toMatchObject({
      msg: "ready as Masque in 1 server(s) with 5 persona(s)",
      servers: 1,
      personas: 5,
    });

    const channel = guild.channelId("general");
    discord.postMessage({ channelId: channel, author: ALICE, content: "are you alive?", mentionBot: true });
    await discord.waitFor(
      () => discord!.channelMessages(channel).find((m) => m.content === "Hello from a real process."),
      10_000,
    );
    expect(model.chatRequests()[0]!.headers.authorization).toBe(`Bearer ${API_KEY}`);

    child.kill("SIGTERM");
    expect(await bot.exited).toBe(0);
    expect(bot.output()).toContain('"msg":"stopped"');
    expect(bot.output()).not.toContain(discord.token);
    expect(bot.output()).not.toContain(API_KEY);
  });

  it("refuses to start without DISCORD_TOKEN, pointing to the README, with no stack trace", async () => {
    const bot = startProcess({ OPENAI_BASE_URL: "http://127.0.0.1:9/v1", CONTEXT_TOKENS: "lots" });
    child = bot.child;
    expect(await bot.exited).toBe(1);
    expect(bot.output()).toContain(
      "DISCORD_TOKEN: is required: create a bot and copy its token (see README.md#create-the-discord-application)",
    );
    expect(bot.output()).toContain("CONTEXT_TOKENS: must be a whole number");
    expect(bot.output()).not.toMatch(/^\s+at /m);
  });
});
