// The floor: the least a discord.js bot can do per reply. It connects like Masque (same
// intents and partials) and answers a mention with a fixed text, nothing else. Plain
// JavaScript so it runs on bare Node exactly as Masque's compiled build does.
//
// With FLOOR_PROMPT_FILE (a JSON array of chat messages) it is the floor of a persona bot
// instead: for each mention it streams that same prompt from the model at OPENAI_BASE_URL
// through the openai SDK, with the fetch Masque gives the SDK, and replies with the text.
// Everything Masque does on top (memory, personas, moderation) is then the difference.
import { readFileSync } from "node:fs";
import { Client, GatewayIntentBits, Partials } from "discord.js";

const REPLY = "ok";
const promptFile = process.env.FLOOR_PROMPT_FILE;
const answer = promptFile ? await modelAnswerer(JSON.parse(readFileSync(promptFile, "utf8"))) : async () => REPLY;
const client = new Client({
  intents: [
    GatewayIntentBits.Guilds,
    GatewayIntentBits.GuildMessages,
    GatewayIntentBits.MessageContent,
    GatewayIntentBits.DirectMessages,
  ],
  partials: [Partials.Channel],
  rest: { api: process.env.DISCORD_API_URL },
});
client.once("clientReady", () => console.log(JSON.stringify({ msg: `ready as ${client.user.tag}` })));
client.on("messageCreate", (message) => {
  if (message.author.bot || !message.mentions.users.has(client.user.id)) return;
  answer()
    .then((content) => message.reply({ content, allowedMentions: { parse: [], repliedUser: true } }))
    .catch((error) => console.error(error));
});
process.once("SIGTERM", () => client.destroy().then(() => process.exit(0)));
await client.login(process.env.DISCORD_TOKEN);

/** Streams `messages` from the model and returns the whole text. */
async function modelAnswerer(messages) {
  const { default: OpenAI } = await import("openai");
  const { modelFetch } = await import("../dist/llm/fetch.js");
  const openai = new OpenAI({
    baseURL: process.env.OPENAI_BASE_URL,
    apiKey: "not-needed",
    maxRetries: 0,
    fetch: modelFetch,
  });
  return async () => {
    let text = "";
    // Usage asked for as Masque asks for it: the same model call.
    const stream = await openai.chat.completions.create({
      model: "fake-model",
      messages,
      stream: true,
      stream_options: { include_usage: true },
    });
    for await (const chunk of stream) text += chunk.choices?.[0]?.delta?.content ?? "";
    return text;
  };
}
