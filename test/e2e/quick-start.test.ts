/**
 * The README's Quick start, done literally: a copy of the project, `cp .env.example .env`,
 * the values a user fills in (the token; here also the fake Discord and fake model URLs),
 * then `npm start`. Nothing else is set: no test-only environment reaches the bot.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { copyFileSync, cpSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { type FakeDiscord, startFakeDiscord } from "../fakes/discord-server.js";
import { type FakeModelServer, startFakeModelServer } from "../fakes/openai-server.js";
import { waitForOutput } from "../helpers/bot-process.js";
import { ALICE } from "../helpers/stack.js";
import { tempDirForTest } from "../helpers/temp-dir.js";

const REPO = path.resolve(import.meta.dirname, "..", "..");
/** What a clone holds that `npm start` reads. */
const PROJECT_FILES = [
  "package.json",
  "package-lock.json",
  "tsconfig.json",
  "tsconfig.build.json",
  ".env.example",
  "src",
  "dist",
  "personas",
  "migrations",
];
const START_TIMEOUT_MS = 30_000;

/**
 * A copy of the project in `dir` as it is after the first `npm start`: sources with their
 * modification times kept, and a node_modules whose packages link to the repo's (a folder of
 * links, so even an unexpected `npm ci` there could not empty the repo's own node_modules).
 */
function copyProject(dir: string): void {
  for (const name of PROJECT_FILES)
    cpSync(path.join(REPO, name), path.join(dir, name), { recursive: true, preserveTimestamps: true });
  const modules = path.join(dir, "node_modules");
  mkdirSync(modules);
  for (const name of readdirSync(path.join(REPO, "node_modules"))) {
    if (!name.startsWith(".")) symlinkSync(path.join(REPO, "node_modules", name), path.join(modules, name));
  }
  // Written now, so it is newer than package-lock.json: the install is up to date.
  copyFileSync(path.join(REPO, "node_modules", ".package-lock.json"), path.join(modules, ".package-lock.json"));
}

/** `.env.example` with only the lines a user edits changed (the commented DISCORD_API_URL line uncommented). */
function envFromExample(example: string, values: Record<string, string>): string {
  let env = example;
  for (const [name, value] of Object.entries(values)) {
    const line = new RegExp(`^(# )?${name}=.*$`, "m");
    expect(env, `.env.example has a ${name} line`).toMatch(line);
    env = env.replace(line, `${name}=${value}`);
  }
  return env;
}

/** `npm start` in `dir` with only PATH and HOME from the test's environment, as a user's shell would run it. */
function npmStart(dir: string): { child: ChildProcess; output: () => string; exited: Promise<number | null> } {
  let output = "";
  const child = spawn("npm", ["start"], {
    cwd: dir,
    detached: true,
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? dir },
  });
  child.stdout?.on("data", (d) => (output += d));
  child.stderr?.on("data", (d) => (output += d));
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  return { child, output: () => output, exited };
}

/** Waits for the ready line; fails at once, with the output, if npm start exits first. */
async function untilReady(bot: ReturnType<typeof npmStart>): Promise<void> {
  const exitedEarly = bot.exited.then((code) => {
    throw new Error(`npm start exited with ${code}:\n${bot.output()}`);
  });
  exitedEarly.catch(() => {}); // the kill at the end of the test also ends npm
  await Promise.race([
    waitForOutput(bot.output, /ready as Masque in 1 server\(s\) with 5 persona\(s\)/, START_TIMEOUT_MS),
    exitedEarly,
  ]);
}

describe("the README quick start: cp .env.example .env, a token, npm start", () => {
  let child: ChildProcess | undefined;
  let discord: FakeDiscord | undefined;
  let model: FakeModelServer | undefined;

  afterEach(async () => {
    // npm runs the bot in a child of its own: end the whole process group.
    if (child?.pid && child.exitCode === null) process.kill(-child.pid, "SIGKILL");
    await discord?.close();
    await model?.close();
    [child, discord, model] = [undefined, undefined, undefined];
  });

  it(
    "reaches ready and answers a mention with the shipped example's values, then restarts on its own database",
    async () => {
      discord = await startFakeDiscord();
      model = await startFakeModelServer();
      const guild = discord.addGuild({ name: "Quick Start", members: [{ user: ALICE }] });
      model.enqueue({ text: "Hello, newcomer." });
      const dir = tempDirForTest();
      copyProject(dir);
      const example = readFileSync(path.join(dir, ".env.example"), "utf8");
      // The shipped example leaves SHARDS and others empty: the very lines that once crashed the start.
      expect(example).toMatch(/^SHARDS=$/m);
      writeFileSync(
        path.join(dir, ".env"),
        envFromExample(example, {
          DISCORD_TOKEN: discord.token,
          DISCORD_API_URL: discord.apiUrl,
          OPENAI_BASE_URL: model.baseURL,
        }),
      );

      const first = npmStart(dir);
      child = first.child;
      await untilReady(first);
      const channel = guild.channelId("general");
      discord.postMessage({ channelId: channel, author: ALICE, content: "is this thing on?", mentionBot: true });
      await discord.waitFor(
        () => discord!.channelMessages(channel).find((m) => m.content === "Hello, newcomer."),
        10_000,
      );
      expect(model.chatRequests().at(-1)!.body.messages.at(-1).content).toContain("is this thing on?");
      expect(first.output()).not.toContain("could not start");
      expect(first.output(), "nothing changed since the install and the build").not.toMatch(
        /Installing dependencies|tsc/,
      );
      expect(first.output()).not.toContain(discord.token);

      // A restart opens the database the first run wrote (better-sqlite3 12 aborted here on Node 24.19+).
      // npm exits on the signal at once; the bot's own shutdown ends with "stopped".
      process.kill(-first.child.pid!, "SIGTERM");
      await waitForOutput(first.output, /\bstopped\b/, START_TIMEOUT_MS);
      model.enqueue({ text: "Still here." });
      const second = npmStart(dir);
      child = second.child;
      await untilReady(second);
      discord.postMessage({ channelId: channel, author: ALICE, content: "do you remember me?", mentionBot: true });
      await discord.waitFor(() => discord!.channelMessages(channel).find((m) => m.content === "Still here."), 10_000);
      const remembered = model
        .chatRequests()
        .at(-1)!
        .body.messages.map((m: { content: string }) => m.content);
      expect(remembered.join("\n"), "the first run's exchange, read back from the database").toContain(
        "Hello, newcomer.",
      );
    },
    2 * START_TIMEOUT_MS + 30_000,
  );
});
