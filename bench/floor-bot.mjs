// The floor: the least a discord.js bot can do per reply. It connects like Masque (same
// intents and partials) and answers a mention with a fixed text, nothing else. Plain
// JavaScript so it runs on bare Node exactly as Masque's compiled build does.
import { Client, GatewayIntentBits, Partials } from "discord.js";

const REPLY = "ok";
const client = new Client({
  intents: [GatewayIntentBits.Guilds, GatewayIntentBits.GuildMessages, GatewayIntentBits.MessageContent, GatewayIntentBits.DirectMessages],
  partials: [Partials.Channel],
  rest: { api: process.env.DISCORD_API_URL },
});
client.once("clientReady", () => console.log(JSON.stringify({ msg: `ready as ${client.user.tag}` })));
client.on("messageCreate", (message) => {
  if (message.author.bot || !message.mentions.users.has(client.user.id)) return;
  message.reply({ content: REPLY, allowedMentions: { parse: [], repliedUser: true } }).catch((error) => console.error(error));
});
process.once("SIGTERM", () => client.destroy().then(() => process.exit(0)));
await client.login(process.env.DISCORD_TOKEN);
