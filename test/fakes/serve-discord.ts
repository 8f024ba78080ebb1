/**
 * Runs the fake Discord on its own, for trying `npm start` by hand without a Discord account:
 *   npx tsx test/fakes/serve-discord.ts   →  prints the DISCORD_TOKEN and DISCORD_API_URL to use.
 * It has one server, "Playground", with #general, where the bot may open threads. Each line
 * typed here is posted in #general by Alice with an @mention of the bot; a line starting
 * with `~` is posted without the mention (to talk to a cast by name); `>` posts it, without
 * a mention, in the newest thread the bot opened; `/` runs a slash command as Alice, an
 * admin: `/persona add bard` (a third word is the `name` option), `/masque channel mode=auto`,
 * `/chat persona=quill private=true` (no subcommand), `/masque bots.list` (group.subcommand).
 * true/false values are booleans, whole numbers integers, the rest strings; a value with spaces
 * goes in double quotes (`/scene start topic="is the lighthouse haunted" turns=4`). Whatever the bot posts or edits, in
 * #general or a thread, and its answers to commands, are printed.
 */
import { createInterface } from "node:readline";
import { DEFAULT_BOT_PERMISSIONS, Permission } from "./discord/constants.js";
import type { Json } from "./discord/types.js";
import { startFakeDiscord } from "./discord-server.js";

const ALICE = { id: "310000000000000001", username: "alice", globalName: "Alice" };
/** Manage Server: Alice may run the admin commands. */
const MANAGE_GUILD = String(1n << 5n);
const SUBCOMMAND = 1;
const GROUP = 2;
const STRING = 3;
const BOOLEAN = 5;
const INTEGER = 4;

const discord = await startFakeDiscord();
const guild = discord.addGuild({
  name: "Playground",
  channels: [{ name: "general" }],
  members: [{ user: ALICE }],
  botPermissions: String(DEFAULT_BOT_PERMISSIONS | Permission.CreatePublicThreads | Permission.CreatePrivateThreads),
});
const general = guild.channelId("general");
const botThreads = () => discord.threads(general).filter((t) => t.ownerId === discord.botUser.id);
const where = (channelId: string | undefined) =>
  channelId === general ? "" : ` in thread “${botThreads().find((t) => t.id === channelId)?.name ?? channelId}”`;

discord.onCall((call) => {
  const answer = call.decodedPath.startsWith("/interactions/")
    ? call.body?.data?.content
    : call.decodedPath.endsWith("/messages/@original")
      ? call.body?.content
      : undefined;
  if (typeof answer === "string") {
    console.log(`bot (to the command): ${answer}`);
    return;
  }
  if (typeof call.body?.content !== "string") return;
  const channelId = /^\/channels\/(\d+)\/messages/.exec(call.decodedPath)?.[1] ?? call.query.thread_id ?? general;
  const isPost =
    call.method === "POST" &&
    (/^\/channels\/\d+\/messages$/.test(call.decodedPath) || call.decodedPath.startsWith("/webhooks/"));
  const isEdit = call.method === "PATCH" && call.decodedPath.includes("/messages/");
  if (isPost || isEdit) console.log(`${isEdit ? "bot (edit)" : "bot"}${where(channelId)}: ${call.body.content}`);
});

/** `/persona add bard`, `/chat private=true`, `/masque bots.list` → the interaction Discord would send for it. */
function slashCommand(line: string): void {
  const [name = "", ...words] = (
    line
      .slice(1)
      .trim()
      .match(/(?:[^\s"]+|"[^"]*")+/g) ?? []
  ).map((word) => word.replace(/"/g, ""));
  const sub = words[0] && !words[0].includes("=") ? words.shift() : undefined;
  const options: Json[] = words.map((word) => {
    const [key, value = ""] = word.includes("=") ? word.split("=", 2) : ["name", word];
    if (value === "true" || value === "false") return { type: BOOLEAN, name: key, value: value === "true" };
    return /^\d+$/.test(value)
      ? { type: INTEGER, name: key, value: Number(value) }
      : { type: STRING, name: key, value };
  });
  const [group, subcommand] = sub?.includes(".") ? sub.split(".", 2) : [undefined, sub];
  const command = subcommand ? [{ type: SUBCOMMAND, name: subcommand, options }] : options;
  discord.interact({
    channelId: general,
    user: ALICE,
    permissions: MANAGE_GUILD,
    name,
    options: group ? [{ type: GROUP, name: group, options: command }] : command,
  });
}

console.log(`Fake Discord listening. Use DISCORD_TOKEN=${discord.token} DISCORD_API_URL=${discord.apiUrl}`);
console.log(
  "Type a line to send it to the bot as Alice in #general (with a mention; ~ first: without one; > first: in the bot's newest thread; / first: a slash command).",
);
for await (const line of createInterface({ input: process.stdin })) {
  const thread = botThreads().at(-1);
  if (line.startsWith("/")) slashCommand(line);
  else if (line.startsWith("~"))
    discord.postMessage({ channelId: general, author: ALICE, content: line.slice(1).trim(), mentionBot: false });
  else if (line.startsWith(">") && thread)
    discord.postMessage({ channelId: thread.id, author: ALICE, content: line.slice(1).trim() });
  else if (line.startsWith(">")) console.log("The bot has opened no thread yet (try /chat).");
  else if (line.trim()) discord.postMessage({ channelId: general, author: ALICE, content: line, mentionBot: true });
}
await discord.close();
