/**
 * Try the real bot with no Discord account and no model: starts the fake Discord and the
 * fake model, runs the bot as `npm start` does (node dist/main.js, after `npm run build`),
 * plays a short scene as two people, and prints what Discord received.
 *
 *   npm run build && npx tsx test/fakes/try-bot.ts
 */
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { startFakeDiscord } from "./discord-server.js";
import { startFakeModelServer } from "./openai-server.js";

const ALICE = { id: "310000000000000001", username: "alice", globalName: "Alice" };
const BOB = { id: "310000000000000002", username: "bob", globalName: "Bob" };
const MANAGE_GUILD = String(1n << 5n);

const discord = await startFakeDiscord();
const model = await startFakeModelServer();
model.setDefault((request) => {
  const messages: Array<{ role: string; content: string }> = request.body?.messages ?? [];
  const who = /You are ([^,.\n]+)/.exec(String(messages[0]?.content).split("\n\n").at(-1) ?? "")?.[1] ?? "someone";
  const last = String(messages.at(-1)?.content ?? "")
    .split("\n")
    .at(-1);
  return {
    text: `(${who}) You said “${last}”. I see ${messages.length - 2} earlier message(s).`,
    chunkSize: 8,
    chunkDelayMs: 20,
  };
});
const guild = discord.addGuild({
  name: "Playground",
  channels: [{ name: "general" }],
  members: [{ user: ALICE }, { user: BOB }],
});
const general = guild.channelId("general");
const dir = mkdtempSync(path.join(tmpdir(), "masque-try-"));
const bot = spawn(process.execPath, ["dist/main.js"], {
  env: {
    ...process.env,
    DOTENV_CONFIG_PATH: "/nonexistent/.env",
    DISCORD_TOKEN: discord.token,
    DISCORD_API_URL: discord.apiUrl,
    OPENAI_BASE_URL: model.baseURL,
    DATABASE_PATH: path.join(dir, "masque.db"),
    AUTO_DEPLOY_COMMANDS: "true",
    LOG_FORMAT: "pretty",
  },
  stdio: ["ignore", "inherit", "inherit"],
});

const settle = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
async function command(user: typeof ALICE, admin: boolean, sub: string, options: object[] = []): Promise<void> {
  const interaction = discord.interact({
    channelId: general,
    user,
    permissions: admin ? MANAGE_GUILD : "0",
    name: "persona",
    options: [{ type: 1, name: sub, options }],
  });
  await discord.waitFor(() => discord.interactionResponses(interaction.id).length > 0, 10_000);
  const data = discord.interactionResponses(interaction.id)[0]!.body.data;
  console.log(
    `\n/persona ${sub} by ${user.globalName}${data.flags === 64 ? " (only they see it)" : ""}:\n${data.content}`,
  );
}

await discord.waitFor(() => discord.calls.some((c) => c.method === "PUT" && c.path.endsWith("/commands")), 20_000);
discord.postMessage({ channelId: general, author: ALICE, content: "hi! what can you do?", mentionBot: true });
await settle(1500);
await command(BOB, false, "set", [{ type: 3, name: "name", value: "quill" }]);
await command(ALICE, true, "set", [{ type: 3, name: "name", value: "quill" }]);
await settle(500);
discord.postMessage({ channelId: general, author: BOB, content: "ahoy, who are you now?", mentionBot: true });
await settle(1500);
console.log("\n#general as people see it:");
for (const m of discord.channelMessages(general))
  console.log(`  ${(m.author as { username: string }).username}: ${m.content.replace(/\n/g, "\n    ")}`);
const nick = discord.calls.find((c) => c.decodedPath.endsWith("/members/@me"));
console.log(`\nNickname changed to: ${nick?.body.nick ?? "(not changed)"}`);

bot.kill("SIGTERM");
await new Promise((resolve) => bot.once("exit", resolve));
await discord.close();
await model.close();
rmSync(dir, { recursive: true, force: true });
