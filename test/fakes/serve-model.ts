/**
 * Runs the fake model server on its own, for trying Masque by hand without a real model:
 *   npx tsx test/fakes/serve-model.ts   →  prints the OPENAI_BASE_URL to use.
 * Each reply names the persona (from the system prompt's coherence rules), echoes the last
 * message, and says how many earlier messages the prompt carried and whether it held a
 * summary or recalled turns, so memory is visible. Summary requests (not streamed) get a
 * summary that lists the lines they were given.
 */
import { RECALL_HEADING, SUMMARY_HEADING } from "../../src/chat/prompt.js";
import { startFakeModelServer } from "./openai-server.js";

const NEW_MESSAGES = "New messages, oldest first:\n";
/** The fake summary keeps this many words of each line it was given. */
const SUMMARY_WORDS_PER_LINE = 8;

const server = await startFakeModelServer();
server.setDefault((request) => {
  const messages: Array<{ role: string; content: string }> = request.body?.messages ?? [];
  const last = messages.at(-1)?.content ?? "";
  if (request.body?.stream !== true) {
    return {
      text: `Summary (fake): ${last
        .slice(last.indexOf(NEW_MESSAGES) + NEW_MESSAGES.length)
        .split("\n")
        .map((line) => line.split(" ").slice(0, SUMMARY_WORDS_PER_LINE).join(" "))
        .join(" / ")}`,
    };
  }
  const system = messages[0]?.content ?? "";
  const who = /You are ([^,.\n]+), and you speak only as/.exec(system)?.[1] ?? "the persona";
  const memory = [
    system.includes(SUMMARY_HEADING) && "a summary",
    last.includes(RECALL_HEADING) && "recalled turns",
  ].filter(Boolean);
  return {
    text: `(${who}, via the fake model) I heard: "${last.split("\n").at(-1)}". My prompt held ${messages.length - 2} earlier message(s)${memory.length > 0 ? ` and ${memory.join(" and ")}` : ""}.`,
    chunkSize: 6,
    chunkDelayMs: 15,
  };
});
console.log(`Fake model listening. Use OPENAI_BASE_URL=${server.baseURL}`);
process.on("SIGINT", () => void server.close().then(() => process.exit(0)));
