import { afterEach, describe, expect, it } from "vitest";
import { NOTE_OPENING, RECALL_HEADING } from "../../src/chat/prompt.js";
import type { RecordedRequest } from "../fakes/openai-server.js";
import { said } from "../helpers/memory.js";
import { ALICE, BOB, MANAGE_GUILD, type Stack, startStack } from "../helpers/stack.js";

const EMBEDDINGS = { EMBEDDING_MODEL: "fake-embed" };
const REPLY_DOWN_LOG = "embeddings slow or down: recall uses words alone until they answer in time";

const replyRequests = (stack: Stack) => stack.model.chatRequests().filter((r) => r.body?.stream === true);

const general = (stack: Stack) => ({
  key: `channel:${stack.general}`,
  guildId: stack.guild.id,
  channelId: stack.general,
});

/** Enough turns that the fact is far older than the window, so only recall can bring it back. */
const CHATTER_TURNS = 500;
const bobChatter = () =>
  Array.from({ length: CHATTER_TURNS }, (_, i) =>
    said("Bob", `Bob's note ${i} on the weather and the harbour.`, { authorId: BOB.id }),
  );

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

/** Waits until every stored turn has its vector. */
async function embedded(stack: Stack): Promise<void> {
  await stack.core.meaning!.idle();
  expect(stack.core.memory.vectors.queued()).toBe(0);
  expect(stack.core.memory.vectors.count()).toBe(
    stack.core.memory.db.prepare("SELECT count(*) FROM turns").pluck().get(),
  );
}

const logged = (stack: Stack, message: string) => stack.logLines.filter((line) => line.includes(message)).length;

const vectorsOf = (stack: Stack, ids: readonly number[]) =>
  stack.core.memory.db
    .prepare("SELECT count(*) FROM turn_vectors WHERE rowid IN (SELECT value FROM json_each(@ids))")
    .pluck()
    .get({ ids: JSON.stringify(ids) });

/** Runs a /memory subcommand and clicks its confirm button; resolves once the edited answer arrived. */
async function confirmMemory(stack: Stack, sub: string, user: typeof ALICE, permissions: string): Promise<void> {
  const asked = stack.discord.interact({
    channelId: stack.general,
    user,
    permissions,
    name: "memory",
    options: [{ type: 1, name: sub, options: [] }],
  });
  await stack.discord.waitFor(() => stack.discord.interactionResponses(asked.id).length > 0);
  const confirmation = stack.discord.interactionResponses(asked.id)[0]!.body as {
    data: { components: Array<{ components: Array<{ custom_id: string }> }> };
  };
  const confirm = confirmation.data.components[0]!.components[0]!.custom_id;
  const click = stack.discord.click({ interactionId: asked.id, user, permissions, customId: confirm });
  await stack.discord.waitFor(() => stack.discord.interactionResponses(click.id).find((r) => r.kind === "edit"));
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
    stack.core.memory.turns.append(general(stack), [
      said("Ali", "I named my dog Biscuit.", { authorId: ALICE.id }),
      ...bobChatter(),
    ]);

    const request = await ask(stack, "do you remember my dogs?");
    expect(recalledIn(request)).toMatch(/^\[\d{4}-\d{2}-\d{2}\] Ali: I named my dog Biscuit\.\n\[End of notes\.\]$/);
  });

  it("with EMBEDDING_MODEL set, finds a fact told in other words: 'what's my puppy called?' finds 'I named my dog Biscuit'", async () => {
    stack = await startStack({ env: EMBEDDINGS });
    stack.model.setDefault({ text: "Noted." });
    stack.core.memory.turns.append(general(stack), [
      said("Ali", "I named my dog Biscuit.", { authorId: ALICE.id }),
      ...bobChatter(),
    ]);
    await embedded(stack);

    const before = stack.model.embeddingRequests().length;
    const request = await ask(stack, "what's my puppy called?");
    // Nearest first: recall by meaning may bring a weaker neighbour after it, within RECALL_MAX_TURNS.
    expect(recalledIn(request)).toMatch(/^\[\d{4}-\d{2}-\d{2}\] Ali: I named my dog Biscuit\.\n/);
    // One embedding on the reply path: the new message's, asked for before the model was.
    const [question] = stack.model.embeddingRequests().slice(before);
    expect(question!.body).toMatchObject({
      model: "fake-embed",
      input: ["what's my puppy called?"],
      encoding_format: "float",
    });
    expect(question!.receivedAt).toBeLessThan(request.receivedAt);
    // The question and the reply get their vectors in the background.
    await embedded(stack);
  });

  it("recalls by words when the embeddings endpoint is down or slow, and logs it once", async () => {
    stack = await startStack({ env: EMBEDDINGS });
    stack.model.setDefault({ text: "Noted." });
    stack.core.memory.turns.append(general(stack), [
      said("Ali", "I named my dog Biscuit.", { authorId: ALICE.id }),
      ...bobChatter(),
    ]);
    await embedded(stack);

    stack.model.setEmbeddings({ status: 503 });
    for (const question of ["do you remember my dogs?", "and the dogs' names?"]) {
      const request = await ask(stack, question);
      expect(recalledIn(request)).toContain("Ali: I named my dog Biscuit.");
    }
    expect(logged(stack, REPLY_DOWN_LOG)).toBe(1);

    stack.model.setEmbeddings({});
    await ask(stack, "my dogs again?");
    expect(logged(stack, "embeddings answer in time again: recall by meaning is back")).toBe(1);

    // Slower than the reply path's deadline (1 s): the reply does not wait for it.
    stack.model.setEmbeddings({ delayMs: 3000 });
    const asked = performance.now();
    const slow = await ask(stack, "those dogs?");
    expect(slow.receivedAt - asked).toBeLessThan(2500);
    expect(recalledIn(slow)).toContain("Ali: I named my dog Biscuit.");
    expect(logged(stack, REPLY_DOWN_LOG)).toBe(2);
  });

  it("forget-me and /memory clear erase vectors with the turns", async () => {
    stack = await startStack({ env: EMBEDDINGS });
    stack.model.setDefault({ text: "Noted." });
    const hers = stack.core.memory.turns.append(general(stack), [
      said("Ali", "I named my dog Biscuit.", { authorId: ALICE.id }),
    ]);
    const his = stack.core.memory.turns.append(general(stack), bobChatter().slice(0, 3));
    await embedded(stack);
    expect(vectorsOf(stack, hers)).toBe(1);

    await confirmMemory(stack, "forget-me", ALICE, "0");
    expect(vectorsOf(stack, hers)).toBe(0);
    expect(vectorsOf(stack, his)).toBe(3);
    // Nothing of hers is found by meaning either.
    const vector = await stack.core.meaning!.queryVector("what's my puppy called?");
    expect(
      stack.core.memory.vectors
        .searchConversation({
          conversationKey: general(stack).key,
          beforeId: Number.MAX_SAFE_INTEGER,
          vector: vector!,
          limit: 10,
        })
        .map((h) => h.id),
    ).not.toContain(hers[0]);

    await confirmMemory(stack, "clear", ALICE, MANAGE_GUILD);
    expect(vectorsOf(stack, his)).toBe(0);
    expect(stack.core.memory.vectors.count()).toBe(0);
  });
});
