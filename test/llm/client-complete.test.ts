import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ModelClient } from "../../src/llm/client.js";
import {
  ModelAbortedError,
  ModelAuthError,
  ModelRateLimitError,
  ModelServerError,
  ModelStreamError,
} from "../../src/llm/errors.js";
import { type FakeModelServer, startFakeModelServer } from "../fakes/openai-server.js";

const REQUEST = {
  model: "fake-model",
  messages: [{ role: "user" as const, content: "Summarize: hi" }],
  temperature: 0.2,
  maxTokens: 300,
};

describe("ModelClient.complete", () => {
  let server: FakeModelServer;
  let client: ModelClient;
  beforeEach(async () => {
    server = await startFakeModelServer();
    client = new ModelClient({ baseURL: server.baseURL, apiKey: "sk-test", timeoutMs: 2000, maxRetries: 0 });
  });
  afterEach(() => server.close());

  it("returns the whole answer from one non-streaming request with the request's settings", async () => {
    server.enqueue({ text: "Ali said hi." });
    expect(await client.complete(REQUEST)).toBe("Ali said hi.");
    const body = server.chatRequests()[0]!.body;
    expect(body).toEqual({
      model: "fake-model",
      messages: [{ role: "user", content: "Summarize: hi" }],
      temperature: 0.2,
      max_tokens: 300,
      stream: false,
    });
  });

  it("maps failures to the same typed errors as streaming", async () => {
    server.enqueue({ status: 401 }, { status: 429, retryAfterSeconds: 7 }, { status: 503 }, { text: "   " });
    await expect(client.complete(REQUEST)).rejects.toBeInstanceOf(ModelAuthError);
    const limited = await client.complete(REQUEST).catch((error: unknown) => error);
    expect(limited).toBeInstanceOf(ModelRateLimitError);
    expect((limited as ModelRateLimitError).retryAfterSeconds).toBe(7);
    await expect(client.complete(REQUEST)).rejects.toBeInstanceOf(ModelServerError);
    await expect(client.complete(REQUEST)).rejects.toBeInstanceOf(ModelStreamError);
  });

  it("leaves no listener behind on the caller's signal, however many calls share it", async () => {
    const signal = new AbortController().signal;
    const warnings: Error[] = [];
    const onWarning = (warning: Error) => warnings.push(warning);
    process.on("warning", onWarning);
    try {
      for (let i = 0; i < 12; i++) await client.complete(REQUEST, signal);
      await new Promise((resolve) => setImmediate(resolve));
    } finally {
      process.off("warning", onWarning);
    }
    expect(warnings.map((w) => w.name)).not.toContain("MaxListenersExceededWarning");
  });

  it("stops when its signal is aborted", async () => {
    server.enqueue({ text: "late", delayMs: 1000 });
    const controller = new AbortController();
    const pending = client.complete(REQUEST, controller.signal);
    await server.waitForChatRequests(1);
    controller.abort();
    await expect(pending).rejects.toBeInstanceOf(ModelAbortedError);
  });
});
