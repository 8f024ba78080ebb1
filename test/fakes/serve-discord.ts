/**
 * Runs the fake Discord on its own, for trying `npm start` by hand without a Discord account:
 *   npx tsx test/fakes/serve-discord.ts   →  prints the DISCORD_TOKEN and DISCORD_API_URL to use.
 * It has one server, "Playground", with #general. Each line typed here is posted in #general
 * by Alice with an @mention of the bot; whatever the bot posts or edits there is printed.
 */
import { createInterface } from "node:readline";
import { startFakeDiscord } from "./discord-server.js";

const ALICE = { id: "310000000000000001", username: "alice", globalName: "Alice" };

const discord = await startFakeDiscord();
const guild = discord.addGuild({ name: "Playground", channels: [{ name: "general" }], members: [{ user: ALICE }] });
const general = guild.channelId("general");

discord.onCall((call) => {
  const isPost = call.method === "POST" && (call.decodedPath.endsWith(`/channels/${general}/messages`) || call.decodedPath.includes("/webhooks/"));
  const isEdit = call.method === "PATCH" && call.decodedPath.includes("/messages/");
  if ((isPost || isEdit) && typeof call.body?.content === "string") console.log(`${isEdit ? "bot (edit)" : "bot"}: ${call.body.content}`);
});

console.log(`Fake Discord listening. Use DISCORD_TOKEN=${discord.token} DISCORD_API_URL=${discord.apiUrl}`);
console.log("Type a line to send it to the bot as Alice in #general (with a mention).");
for await (const line of createInterface({ input: process.stdin })) {
  if (line.trim()) discord.postMessage({ channelId: general, author: ALICE, content: line, mentionBot: true });
}
await discord.close();
