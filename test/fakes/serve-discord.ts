/**
 * Runs the fake Discord on its own, for trying `npm start` by hand without a Discord account:
 *   npx tsx test/fakes/serve-discord.ts   →  prints the DISCORD_TOKEN and DISCORD_API_URL to use.
 * It has one server, "Playground", with #general. Each line typed here is posted in #general
 * by Alice with an @mention of the bot; a line starting with `~` is posted without the mention
 * (to talk to a cast by name); a line starting with `/` runs a slash command as Alice, an admin:
 * `/persona add bard` (a third word is the `name` option), `/masque channel mode=auto`.
 * Whatever the bot posts or edits there, and its answers to commands, are printed.
 */
import { createInterface } from "node:readline";
import { startFakeDiscord } from "./discord-server.js";

const ALICE = { id: "310000000000000001", username: "alice", globalName: "Alice" };
/** Manage Server: Alice may run the admin commands. */
const MANAGE_GUILD = String(1n << 5n);
const SUBCOMMAND = 1;
const STRING = 3;

const discord = await startFakeDiscord();
const guild = discord.addGuild({ name: "Playground", channels: [{ name: "general" }], members: [{ user: ALICE }] });
const general = guild.channelId("general");

discord.onCall((call) => {
  const isPost = call.method === "POST" && (call.decodedPath.endsWith(`/channels/${general}/messages`) || call.decodedPath.includes("/webhooks/"));
  const isEdit = call.method === "PATCH" && call.decodedPath.includes("/messages/");
  if ((isPost || isEdit) && typeof call.body?.content === "string") console.log(`${isEdit ? "bot (edit)" : "bot"}: ${call.body.content}`);
  const answer = call.decodedPath.startsWith("/interactions/") ? call.body?.data?.content : undefined;
  if (typeof answer === "string") console.log(`bot (to the command): ${answer}`);
});

/** `/persona add bard` → the interaction Discord would send for it (options as strings; a bare third word is `name`). */
function slashCommand(line: string): void {
  const [name = "", sub, ...words] = line.slice(1).trim().split(/\s+/);
  const options = words.map((word) => {
    const [key, value] = word.includes("=") ? word.split("=", 2) : ["name", word];
    return { type: STRING, name: key, value };
  });
  discord.interact({ channelId: general, user: ALICE, permissions: MANAGE_GUILD, name, options: sub ? [{ type: SUBCOMMAND, name: sub, options }] : [] });
}

console.log(`Fake Discord listening. Use DISCORD_TOKEN=${discord.token} DISCORD_API_URL=${discord.apiUrl}`);
console.log("Type a line to send it to the bot as Alice in #general (with a mention; ~ first: without one; / first: a slash command).");
for await (const line of createInterface({ input: process.stdin })) {
  if (line.startsWith("/")) slashCommand(line);
  else if (line.startsWith("~")) discord.postMessage({ channelId: general, author: ALICE, content: line.slice(1).trim(), mentionBot: false });
  else if (line.trim()) discord.postMessage({ channelId: general, author: ALICE, content: line, mentionBot: true });
}
await discord.close();
