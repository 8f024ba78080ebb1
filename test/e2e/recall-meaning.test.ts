import { afterEach, describe, expect, it } from "vitest";
import { NOTE_OPENING, RECALL_HEADING } from "../../src/chat/prompt.js";
import type { RecordedRequest } from "../fakes/openai-server.js";
import { said } from "../helpers/memory.js";
import { ALICE, BOB, type Stack, startStack } from "../helpers/stack.js";

const replyRequests = (stack: Stack) => stack.model.chatRequests().filter((r) => r.body?.stream === true);

const general = (stack: Stack) => ({ key: `channel:${stack.general}`, guildId: stack.guild.id, channelId: stack.general });

/** Enough turns that the fact is far older than the window, so only recall can bring it back. */
const CHATTER_TURNS = 500;
const bobChatter = () => Array.from({ length: CHATTER_TURNS }, (_, i) => said("Bob", `Bob's note ${i} on the weather and the harbour.`, { authorId: BOB.id }));

/** Posts a message and waits until its reply is stored; returns the model request for it. */
async function ask(stack: Stack, content: string): Promise<RecordedRequest> {
  const before = replyRequests(stack).length;
  const key = `channel:${stack.general}`;
  const turns = stack.core.memory.turns.count(key);
  stack.discord.postMessage({ channelId: stack.general, author: ALICE, content, mentionBot: true });
  await stack.discord.waitFor(() => stack.core.memory.turns.count(key) >= turns + 2, 8000);
  await stack.bot.idle();
  return replyRequests(stack)[before]!;
}

/** The recalled turns of a reply's prompt: the note after the new message. */
function recalledIn(request: RecordedRequest): string {
  const newest: string = request.body.messages.at(-1).content;
  return newest.split(`${NOTE_OPENING}\n${RECALL_HEADING}\n`)[1] ?? "";
}

describe("Recall that finds what people mean (the bot against the fake Discord and the fake model)", () => {
  let stack: Stack;
  afterEach(async () => {
    await stack.stop();
  });

  it("finds a fact told in another form of the words: 'my dogs' finds 'my dog'", async () => {
    stack = await startStack();
    stack.model.setDefault({ text: "Noted." });
    stack.core.memory.turns.append(general(stack), [said("Ali", "I named my dog Biscuit.", { authorId: ALICE.id }), ...bobChatter()]);

    const request = await ask(stack, "do you remember my dogs?");
    expect(recalledIn(request)).toMatch(/^\[\d{4}-\d{2}-\d{2}\] Ali: I named my dog Biscuit\.\n\[End of notes\.\]$/);
  });
});
