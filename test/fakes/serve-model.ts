/**
 * Runs the fake model server on its own, for trying Masque by hand without a real model:
 *   npx tsx test/fakes/serve-model.ts   →  prints the OPENAI_BASE_URL to use.
 * Each reply names the persona (from the system prompt's first line), echoes the last
 * message, and says how many earlier messages the prompt carried, so memory is visible.
 */
import { startFakeModelServer } from "./openai-server.js";

const server = await startFakeModelServer();
server.setDefault((request) => {
  const messages: Array<{ role: string; content: string }> = request.body?.messages ?? [];
  const system = messages[0]?.content ?? "";
  const who = /You are ([^,.\n]+)/.exec(system.split("\n\n").at(-1) ?? "")?.[1] ?? "the persona";
  const last = messages.at(-1)?.content ?? "";
  return {
    text: `(${who}, via the fake model) I heard: "${last.split("\n").at(-1)}". My prompt held ${messages.length - 2} earlier message(s).`,
    chunkSize: 6,
    chunkDelayMs: 15,
  };
});
console.log(`Fake model listening. Use OPENAI_BASE_URL=${server.baseURL}`);
process.on("SIGINT", () => void server.close().then(() => process.exit(0)));
