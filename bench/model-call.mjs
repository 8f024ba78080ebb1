// One model call, alone: Masque's ModelClient (dist/, as npm start runs it) streams the
// same prompt from the fake model again and again, and reports its CPU per call. It
// shows how much of Masque's CPU per reply is the call to the model that the floor bot
// does not make. Usage: node bench/model-call.mjs <baseURL> <messages.json> <calls>
import { readFileSync } from "node:fs";
import { ModelClient } from "../dist/llm/client.js";

const WARMUP_CALLS = 200;
const [baseURL, messagesFile, calls] = process.argv.slice(2);
const messages = JSON.parse(readFileSync(messagesFile, "utf8"));
const client = new ModelClient({ baseURL, apiKey: undefined, timeoutMs: 60_000, maxRetries: 0 });
const call = async () => {
  for await (const _piece of client.stream({ model: "fake-model", messages })) {
    // Consumed like a reply is; the text itself is not needed here.
  }
};
for (let i = 0; i < WARMUP_CALLS; i++) await call();
const before = process.cpuUsage();
for (let i = 0; i < Number(calls); i++) await call();
const used = process.cpuUsage(before);
console.log(JSON.stringify({ cpuMsPerCall: (used.user + used.system) / 1000 / Number(calls) }));
