import OpenAI from "openai";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { DEFAULT_EMBEDDING_DIMENSIONS, fakeEmbedding, LARGE_EMBEDDING_DIMENSIONS } from "./fake-embeddings.js";
import { type FakeModelServer, startFakeModelServer } from "./openai-server.js";

const cosine = (a: readonly number[], b: readonly number[]) => a.reduce((sum, x, i) => sum + x * b[i]!, 0);

describe("fake POST /v1/embeddings, through the real openai SDK", () => {
  let server: FakeModelServer;
  let client: OpenAI;
  beforeEach(async () => {
    server = await startFakeModelServer();
    client = new OpenAI({ baseURL: server.baseURL, apiKey: "k", maxRetries: 0 });
  });
  afterEach(async () => {
    await server.close();
  });

  it("answers a list of embeddings in OpenAI's shape, for a string or an array, as floats or base64", async () => {
    const one = await client.embeddings.create({
      model: "fake-embed",
      input: "I named my dog Biscuit.",
      encoding_format: "float",
    });
    expect(one.object).toBe("list");
    expect(one.model).toBe("fake-embed");
    expect(one.data).toHaveLength(1);
    expect(one.data[0]!.object).toBe("embedding");
    expect(one.data[0]!.embedding).toHaveLength(DEFAULT_EMBEDDING_DIMENSIONS);
    expect(one.usage.prompt_tokens).toBeGreaterThan(0);
    // The SDK asks for base64 when no encoding_format is given, and decodes it.
    const both = await client.embeddings.create({ model: "fake-embed-large", input: ["a", "b"] });
    expect(both.data.map((d) => [d.index, d.embedding.length])).toEqual([
      [0, LARGE_EMBEDDING_DIMENSIONS],
      [1, LARGE_EMBEDDING_DIMENSIONS],
    ]);
    expect(both.data[0]!.embedding[0]).toBeCloseTo(fakeEmbedding("a", LARGE_EMBEDDING_DIMENSIONS)[0]!, 6);
    const sized = await client.embeddings.create({
      model: "fake-embed",
      input: "x",
      dimensions: 8,
      encoding_format: "float",
    });
    expect(sized.data[0]!.embedding).toHaveLength(8);
  });

  it("puts paraphrases near each other and unrelated texts apart", () => {
    const fact = fakeEmbedding("I named my dog Biscuit.", DEFAULT_EMBEDDING_DIMENSIONS);
    expect(cosine(fact, fakeEmbedding("what's my puppy called?", DEFAULT_EMBEDDING_DIMENSIONS))).toBeGreaterThan(0.5);
    expect(cosine(fact, fakeEmbedding("The harbour was busy today.", DEFAULT_EMBEDDING_DIMENSIONS))).toBeLessThan(0.2);
  });

  it("refuses an empty input with 400, and plays scripted latency and errors", async () => {
    await expect(client.embeddings.create({ model: "fake-embed", input: "" })).rejects.toBeInstanceOf(
      OpenAI.BadRequestError,
    );
    server.setEmbeddings({ status: 503 });
    await expect(client.embeddings.create({ model: "fake-embed", input: "x" })).rejects.toBeInstanceOf(
      OpenAI.InternalServerError,
    );
    server.setEmbeddings({ delayMs: 300 });
    const started = performance.now();
    await client.embeddings.create({ model: "fake-embed", input: "x" });
    expect(performance.now() - started).toBeGreaterThanOrEqual(290);
    expect(server.embeddingRequests()).toHaveLength(3);
  });
});
