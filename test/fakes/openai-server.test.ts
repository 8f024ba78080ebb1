import OpenAI, { APIError, APIUserAbortError, AuthenticationError, InternalServerError, RateLimitError } from "openai";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { type FakeModelServer, startFakeModelServer } from "./openai-server.js";

const MODEL = "test-model";
const MESSAGES = [
  { role: "system" as const, content: "You are Masque." },
  { role: "user" as const, content: "Say hello." },
];
/** Long enough to notice a missing stall, short enough to keep the suite quick. */
const STALL_OBSERVATION_MS = 200;
const CLOSE_BUDGET_MS = 500;

let server: FakeModelServer;
let client: OpenAI;

beforeAll(async () => {
  server = await startFakeModelServer();
  client = newClient(server);
});
afterEach(() => server.reset());
afterAll(() => server.close());

function newClient(fake: FakeModelServer): OpenAI {
  // logLevel off: the SDK logs unparsable frames, which the invalid-frame test sends on purpose.
  return new OpenAI({ apiKey: "test", baseURL: fake.baseURL, maxRetries: 0, logLevel: "off" });
}

function streamChat(options: { signal?: AbortSignal } = {}) {
  return client.chat.completions.create(
    { model: MODEL, messages: MESSAGES, stream: true, stream_options: { include_usage: true } },
    options,
  );
}

/** Collects content deltas until the stream ends or throws; returns what arrived and the error. */
async function drain(stream: AsyncIterable<OpenAI.ChatCompletionChunk>) {
  const deltas: string[] = [];
  try {
    for await (const chunk of stream) {
      const content = chunk.choices[0]?.delta.content;
      if (content) deltas.push(content);
    }
    return { deltas, error: undefined };
  } catch (error) {
    return { deltas, error };
  }
}

describe("chat completions", () => {
  it("streams the scripted text in chunks and records the request body", async () => {
    server.enqueue({ text: "Hello there, traveller!", chunkSize: 5 });

    const chunks: OpenAI.ChatCompletionChunk[] = [];
    for await (const chunk of await streamChat()) chunks.push(chunk);

    const deltas = chunks.map((c) => c.choices[0]?.delta.content).filter((c) => c !== undefined && c !== "");
    expect(deltas).toEqual(["Hello", " ther", "e, tr", "avell", "er!"]);
    expect(chunks[0]?.choices[0]?.delta).toEqual({ role: "assistant", content: "" });
    expect(chunks.every((c) => c.object === "chat.completion.chunk" && c.model === MODEL)).toBe(true);
    expect(chunks.at(-2)?.choices[0]).toEqual({ index: 0, delta: {}, finish_reason: "stop" });
    expect(chunks.at(-1)?.choices).toEqual([]);
    expect(chunks.at(-1)?.usage).toEqual(expect.objectContaining({ completion_tokens: 6 }));

    const [recorded] = server.chatRequests();
    expect(recorded?.body.model).toBe(MODEL);
    expect(recorded?.body.messages).toEqual(MESSAGES);
    expect(recorded?.body.stream).toBe(true);
    expect(recorded?.headers.authorization).toBe("Bearer test");
  });

  it("streams explicit chunks as given, with the scripted finish reason and usage", async () => {
    server.enqueue({
      chunks: ["Hi", " there"],
      finishReason: "length",
      usage: { prompt_tokens: 3, completion_tokens: 2 },
    });

    const chunks: OpenAI.ChatCompletionChunk[] = [];
    for await (const chunk of await streamChat()) chunks.push(chunk);

    expect(chunks.map((c) => c.choices[0]?.delta.content)).toEqual(["", "Hi", " there", undefined, undefined]);
    expect(chunks.at(-2)?.choices[0]?.finish_reason).toBe("length");
    expect(chunks.at(-1)?.usage).toEqual({ prompt_tokens: 3, completion_tokens: 2, total_tokens: 5 });
  });

  it("reports the prompt's prefix shared with an earlier request as cached tokens, in OpenAI's steps", async () => {
    // platform.openai.com/docs/guides/prompt-caching, "Requirements": caching starts at 1024
    // prompt tokens and hits come in increments of 128 (1024, 1152, 1280, ...), reported in
    // usage.prompt_tokens_details.cached_tokens, zero below 1024. The fake counts 4 characters a token.
    const system = { role: "system" as const, content: "x".repeat(4 * 1300) };
    const ask = async (question: string) => {
      const chunks: OpenAI.ChatCompletionChunk[] = [];
      const stream = await client.chat.completions.create({
        model: MODEL,
        messages: [system, { role: "user", content: question }],
        stream: true,
        stream_options: { include_usage: true },
      });
      for await (const chunk of stream) chunks.push(chunk);
      return chunks.at(-1)!;
    };

    const first = await ask("Say hello.");
    const second = await ask("Say goodbye.");
    const short = await client.chat.completions.create({ model: MODEL, messages: MESSAGES });

    expect(first.choices).toEqual([]);
    expect(first.usage?.prompt_tokens_details).toEqual({ cached_tokens: 0 });
    // The prompts share the system message and `[{"role":"system","content":"` plus
    // `"},{"role":"user","content":"Say ` around it: 5,262 characters, 1,315 tokens, so 1,280.
    expect(second.usage?.prompt_tokens_details).toEqual({ cached_tokens: 1280 });
    expect(second.usage?.prompt_tokens).toBeGreaterThan(1280);
    expect(short.usage?.prompt_tokens_details).toEqual({ cached_tokens: 0 });
    expect(server.chatRequests()[1]?.usage).toEqual(second.usage);
  });

  it("answers non-streaming requests with a chat.completion", async () => {
    server.enqueue({ text: "Plain answer", usage: { prompt_tokens: 7, completion_tokens: 2 } });

    const completion = await client.chat.completions.create({ model: MODEL, messages: MESSAGES });

    expect(completion.object).toBe("chat.completion");
    expect(completion.model).toBe(MODEL);
    expect(completion.choices[0]?.message).toEqual({ role: "assistant", content: "Plain answer" });
    expect(completion.choices[0]?.finish_reason).toBe("stop");
    expect(completion.usage).toEqual({ prompt_tokens: 7, completion_tokens: 2, total_tokens: 9 });
  });

  it("uses queued replies in order, then the default, and passes the request to reply functions", async () => {
    server.setDefault((req) => ({ text: `default for ${req.body.messages.at(-1).content}` }));
    server.enqueue({ text: "first" }, { text: "second" });
    const ask = async () =>
      (await client.chat.completions.create({ model: MODEL, messages: MESSAGES })).choices[0]?.message.content;

    expect([await ask(), await ask(), await ask()]).toEqual(["first", "second", "default for Say hello."]);
    server.reset();
    expect(await ask()).toBe("ok");
  });

  it("waitForChatRequests resolves once the n-th chat request arrives, and times out otherwise", async () => {
    const waiting = server.waitForChatRequests(2);
    await client.models.list(); // not a chat request, must not count
    await client.chat.completions.create({ model: MODEL, messages: MESSAGES });
    await client.chat.completions.create({ model: "second", messages: MESSAGES });

    expect((await waiting).map((r) => r.body.model)).toEqual([MODEL, "second"]);
    await expect(server.waitForChatRequests(3, 50)).rejects.toThrow("waiting for 3 chat requests (got 2)");
  });

  it("delays the response headers by delayMs and chunks by chunkDelayMs", async () => {
    const delayMs = 120;
    const chunkDelayMs = 60;
    server.enqueue({ chunks: ["a", "b", "c"], delayMs, chunkDelayMs });

    const started = performance.now();
    const stream = await streamChat();
    const headersAfter = performance.now() - started;
    await drain(stream);
    const totalAfter = performance.now() - started;

    // Timers may fire a millisecond early, hence the small tolerance.
    expect(headersAfter).toBeGreaterThanOrEqual(delayMs - 5);
    expect(totalAfter).toBeGreaterThanOrEqual(delayMs + 2 * chunkDelayMs - 5);
  });

  it("holds a reply until its holdUntil promise settles", async () => {
    let open: () => void = () => {};
    server.enqueue({ text: "held", holdUntil: new Promise<void>((resolve) => (open = resolve)) });
    let answered = false;
    const reply = client.chat.completions.create({ model: MODEL, messages: MESSAGES }).then((r) => {
      answered = true;
      return r;
    });
    await server.waitForChatRequests(1);
    await new Promise((resolve) => setImmediate(resolve));
    expect(answered).toBe(false);
    open();
    expect((await reply).choices[0]?.message.content).toBe("held");
  });
});

describe("scripted failures", () => {
  it.each([
    [401, AuthenticationError, "invalid_api_key"],
    [429, RateLimitError, "rate_limit_exceeded"],
    [500, InternalServerError, "server_error"],
  ])("status %i surfaces as the SDK's %o with code %s", async (status, errorClass, code) => {
    server.enqueue(status === 429 ? { status, retryAfterSeconds: 7 } : { status });

    const error = await client.chat.completions.create({ model: MODEL, messages: MESSAGES }).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(errorClass);
    if (!(error instanceof APIError)) throw error;
    expect(error.status).toBe(status);
    expect(error.code).toBe(code);
    expect(error.headers?.get("retry-after")).toBe(status === 429 ? "7" : null);
    expect(server.chatRequests()).toHaveLength(1);
  });

  it("cutAfterChunks delivers N chunks, then the stream iteration throws", async () => {
    server.enqueue({ chunks: ["one ", "two ", "three"], cutAfterChunks: 2 });

    const { deltas, error } = await drain(await streamChat());

    expect(deltas).toEqual(["one ", "two "]);
    expect(error).toBeInstanceOf(Error);
  });

  it("invalidFrameAfterChunks delivers N chunks, then the stream iteration throws a parse error", async () => {
    server.enqueue({ chunks: ["one ", "two ", "three"], invalidFrameAfterChunks: 2 });

    const { deltas, error } = await drain(await streamChat());

    expect(deltas).toEqual(["one ", "two "]);
    expect(error).toBeInstanceOf(SyntaxError);
  });

  it("stallAfterChunks keeps the stream open until the client aborts", async () => {
    server.enqueue({ chunks: ["one ", "two "], stallAfterChunks: 1 });
    const controller = new AbortController();
    const iterator = (await streamChat({ signal: controller.signal }))[Symbol.asyncIterator]();

    expect((await iterator.next()).value?.choices[0]?.delta).toEqual({ role: "assistant", content: "" });
    expect((await iterator.next()).value?.choices[0]?.delta.content).toBe("one ");
    const stalled = Symbol("stalled");
    const next = iterator.next();
    const raced = await Promise.race([next, sleep(STALL_OBSERVATION_MS).then(() => stalled)]);
    expect(raced).toBe(stalled);

    controller.abort();
    // Once the response has started, the SDK ends an aborted stream quietly instead of throwing.
    expect(await next).toEqual({ done: true, value: undefined });
  });

  it("an abort before the headers arrive makes the SDK throw APIUserAbortError", async () => {
    server.enqueue({ delayMs: 5_000 });
    const controller = new AbortController();

    const request = streamChat({ signal: controller.signal });
    await server.waitForChatRequests(1);
    controller.abort();

    await expect(request).rejects.toBeInstanceOf(APIUserAbortError);
  });
});

describe("other endpoints", () => {
  it("moderates each input with the scripted function, flagging nothing by default", async () => {
    server.setModeration((input) => ({
      flagged: input.includes("bad"),
      categories: { harassment: input.includes("bad") },
    }));

    const moderation = await client.moderations.create({
      model: "omni-moderation-latest",
      input: ["fine", "bad words"],
    });

    expect(moderation.results.map((r) => r.flagged)).toEqual([false, true]);
    expect(moderation.results[1]?.categories.harassment).toBe(true);
    expect(moderation.results[1]?.category_scores.harassment).toBe(1);
    expect(moderation.results[1]?.categories.violence).toBe(false);
    expect(server.requests.at(-1)?.body.input).toEqual(["fine", "bad words"]);

    server.reset();
    const byDefault = await client.moderations.create({ input: "bad words" });
    expect(byDefault.results.map((r) => r.flagged)).toEqual([false]);
  });

  it("lists fake-model and records every request, chat or not", async () => {
    const models = [];
    for await (const model of client.models.list()) models.push(model.id);

    expect(models).toEqual(["fake-model"]);
    expect(server.requests.map((r) => `${r.method} ${r.path}`)).toEqual(["GET /v1/models"]);
    expect(server.chatRequests()).toEqual([]);
  });

  it("answers unknown paths with a 404 OpenAI-style error", async () => {
    const response = await fetch(`${server.baseURL}/nope`, { method: "POST", body: "{}" });

    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({
      error: {
        message: "Unknown endpoint: POST /v1/nope",
        type: "invalid_request_error",
        code: "not_found",
        param: null,
      },
    });
    expect(server.requests.map((r) => r.path)).toEqual(["/v1/nope"]);
  });
});

describe("close", () => {
  it("completes quickly despite keep-alive and stalled connections", async () => {
    const fake = await startFakeModelServer();
    const fakeClient = newClient(fake);
    fake.enqueue({ text: "kept alive" }, { chunks: ["a"], stallAfterChunks: 0 });
    await fakeClient.chat.completions.create({ model: MODEL, messages: MESSAGES }); // leaves an idle keep-alive socket
    const stalled = await fakeClient.chat.completions.create({ model: MODEL, messages: MESSAGES, stream: true });
    const draining = drain(stalled);

    const started = performance.now();
    await fake.close();

    expect(performance.now() - started).toBeLessThan(CLOSE_BUDGET_MS);
    expect((await draining).error).toBeInstanceOf(Error); // the stalled stream was cut, not left hanging
  });
});

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
