import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { Meaning } from "../../src/chat/meaning.js";
import { EmbeddingClient } from "../../src/llm/embeddings.js";
import { silentLogger } from "../../src/log.js";
import { type Memory, openMemory } from "../../src/memory/index.js";
import { DEFAULT_EMBEDDING_DIMENSIONS, LARGE_EMBEDDING_DIMENSIONS } from "../fakes/fake-embeddings.js";
import { type FakeModelServer, startFakeModelServer } from "../fakes/openai-server.js";
import { said } from "../helpers/memory.js";

const meaningWith = (server: FakeModelServer, memory: Memory, model: string) =>
  new Meaning({
    client: new EmbeddingClient({ baseURL: server.baseURL, apiKey: undefined, model, timeoutMs: 3000 }),
    memory,
    log: silentLogger,
  });

describe("Meaning: vectors for stored turns, in the background", () => {
  let server: FakeModelServer;
  let memory: Memory;
  beforeEach(async () => {
    server = await startFakeModelServer();
    memory = openMemory(":memory:");
  });
  afterEach(async () => {
    memory.close();
    await server.close();
  });

  it("embeds every stored turn once, and turns stored later", async () => {
    memory.turns.append({ key: "channel:a", guildId: "g" }, [
      said("Ali", "I named my dog Biscuit."),
      said("Bob", "Nice."),
    ]);
    const meaning = meaningWith(server, memory, "fake-embed");
    await meaning.idle();
    expect(memory.vectors.index()).toEqual({ model: "fake-embed", dimensions: DEFAULT_EMBEDDING_DIMENSIONS });
    expect(memory.vectors.count()).toBe(2);
    memory.turns.append({ key: "dm:1" }, [said("Ali", "A private thought.")]);
    expect(memory.vectors.queued()).toBe(1);
    await meaning.idle();
    expect(memory.vectors.count()).toBe(3);
    meaning.stop();
  });

  it("embeds everything again for a model of other dimensions, and searches one scope at a time", async () => {
    const [dog] = memory.turns.append({ key: "channel:a", guildId: "g" }, [said("Ali", "I named my dog Biscuit.")]);
    const [otherServer] = memory.turns.append({ key: "channel:b", guildId: "h" }, [
      said("Ali", "My puppy is called Rex."),
    ]);
    const [dm] = memory.turns.append({ key: "dm:1" }, [said("Ali", "My puppy's name is secret.")]);
    await meaningWith(server, memory, "fake-embed").idle();

    const larger = meaningWith(server, memory, "fake-embed-large");
    await larger.idle();
    expect(memory.vectors.index()).toEqual({ model: "fake-embed-large", dimensions: LARGE_EMBEDDING_DIMENSIONS });
    expect(memory.vectors.count()).toBe(3);
    const vector = (await larger.queryVector("what's my puppy called?"))!;
    expect(vector).toHaveLength(LARGE_EMBEDDING_DIMENSIONS);
    const near = (hits: ReadonlyArray<{ id: number }>) => hits.map((h) => h.id);
    expect(
      near(
        memory.vectors.searchConversation({
          conversationKey: "channel:a",
          beforeId: Number.MAX_SAFE_INTEGER,
          vector,
          limit: 5,
        }),
      ),
    ).toEqual([dog]);
    expect(
      near(memory.vectors.searchConversation({ conversationKey: "channel:a", beforeId: dog!, vector, limit: 5 })),
    ).toEqual([]);
    expect(
      near(memory.vectors.searchServer({ guildId: "h", excludedConversationKey: "channel:x", vector, limit: 5 })),
    ).toEqual([otherServer]);
    expect(
      near(memory.vectors.searchServer({ guildId: "h", excludedConversationKey: "channel:b", vector, limit: 5 })),
    ).toEqual([]);
    expect(
      near(
        memory.vectors.searchConversation({
          conversationKey: "dm:1",
          beforeId: Number.MAX_SAFE_INTEGER,
          vector,
          limit: 5,
        }),
      ),
    ).toEqual([dm]);
    // A vector of the old length finds nothing instead of failing.
    expect(
      memory.vectors.searchConversation({
        conversationKey: "channel:a",
        beforeId: Number.MAX_SAFE_INTEGER,
        vector: new Float32Array(DEFAULT_EMBEDDING_DIMENSIONS),
        limit: 5,
      }),
    ).toEqual([]);
  });

  it("waits and tries again when the endpoint fails, leaving turns queued", async () => {
    memory.turns.append({ key: "channel:a", guildId: "g" }, [said("Ali", "hello")]);
    server.setEmbeddings({ status: 500 });
    const meaning = meaningWith(server, memory, "fake-embed");
    await meaning.idle();
    expect(memory.vectors.index()).toBeUndefined();
    expect(await meaning.queryVector("hello")).toBeUndefined();
    meaning.stop();
  });
});
