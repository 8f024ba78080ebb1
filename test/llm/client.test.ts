import OpenAI from "openai";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { type ChatRequest, ModelClient, type ModelClientOptions, toModelError } from "../../src/llm/client.js";
import {
  ModelAbortedError,
  ModelAuthError,
  ModelError,
  ModelParameterError,
  ModelRateLimitError,
  ModelRequestError,
  ModelServerError,
  ModelStreamError,
  ModelTimeoutError,
} from "../../src/llm/errors.js";
import { type FakeModelServer, startFakeModelServer } from "../fakes/openai-server.js";

const NORMAL_TIMEOUT_MS = 5000;
const SHORT_TIMEOUT_MS = 300;
const REQUEST: ChatRequest = {
  model: "test-model",
  messages: [
    { role: "system", content: "You are Juniper." },
    { role: "user", content: "Ana: Hello?" },
  ],
};

let server: FakeModelServer;

beforeAll(async () => {
  // The SDK logs unparsable frames; one test sends them on purpose.
  vi.stubEnv("OPENAI_LOG", "off");
  server = await startFakeModelServer();
});
afterEach(() => server.reset());
afterAll(async () => {
  vi.unstubAllEnvs();
  await server.close();
});

function createClient(options: Partial<ModelClientOptions> = {}): ModelClient {
  return new ModelClient({
    baseURL: server.baseURL,
    apiKey: "sk-test",
    timeoutMs: NORMAL_TIMEOUT_MS,
    maxRetries: 0,
    ...options,
  });
}

/** Reads a stream to its end; returns the pieces and what it threw, if anything. */
async function collect(stream: AsyncIterable<string>): Promise<{ pieces: string[]; error: unknown }> {
  const pieces: string[] = [];
  try {
    for await (const piece of stream) pieces.push(piece);
    return { pieces, error: undefined };
  } catch (error) {
    return { pieces, error };
  }
}

describe("ModelClient.stream", () => {
  it("streams the text pieces and sends the request in the API's field names", async () => {
    server.enqueue({ text: "Hello, Ana. How can I help?", chunkSize: 10 });

    const { pieces, error } = await collect(
      createClient().stream({ ...REQUEST, temperature: 0.7, topP: 0.9, maxTokens: 256 }),
    );

    expect(error).toBeUndefined();
    expect(pieces).toEqual(["Hello, Ana", ". How can ", "I help?"]);
    expect(server.chatRequests()[0]?.body).toEqual({
      model: "test-model",
      messages: REQUEST.messages,
      temperature: 0.7,
      top_p: 0.9,
      max_tokens: 256,
      stream: true,
      stream_options: { include_usage: true },
    });
  });

  it("sends the API key, or a placeholder for a local server without one", async () => {
    await collect(createClient({ apiKey: "sk-real" }).stream(REQUEST));
    await collect(createClient({ apiKey: undefined }).stream(REQUEST));

    expect(server.chatRequests().map((r) => r.headers.authorization)).toEqual(["Bearer sk-real", "Bearer not-needed"]);
  });

  it("applies the timeout to each piece, not to the whole reply", async () => {
    server.enqueue({ text: "slow but steady", chunkSize: 3, chunkDelayMs: SHORT_TIMEOUT_MS / 3 });

    const { pieces, error } = await collect(createClient({ timeoutMs: SHORT_TIMEOUT_MS }).stream(REQUEST));

    expect(error).toBeUndefined();
    expect(pieces.join("")).toBe("slow but steady");
  });

  it("times out when the reply does not start in time", async () => {
    server.enqueue({ delayMs: SHORT_TIMEOUT_MS * 2 });
    const { error } = await collect(createClient({ timeoutMs: SHORT_TIMEOUT_MS }).stream(REQUEST));
    expect(error).toBeInstanceOf(ModelTimeoutError);
    expect((error as ModelError).message).toBe(`The model sent nothing for ${SHORT_TIMEOUT_MS} ms.`);
  });

  it("times out when the stream stalls, after yielding what came", async () => {
    server.enqueue({ text: "Hello there", chunkSize: 6, stallAfterChunks: 1 });
    const { pieces, error } = await collect(createClient({ timeoutMs: SHORT_TIMEOUT_MS }).stream(REQUEST));
    expect(pieces).toEqual(["Hello "]);
    expect(error).toBeInstanceOf(ModelTimeoutError);
  });

  it.each([
    [401, ModelAuthError],
    [403, ModelAuthError],
    [429, ModelRateLimitError],
    [400, ModelRequestError],
    [404, ModelRequestError],
    [500, ModelServerError],
    [503, ModelServerError],
  ])("maps HTTP %i to %O", async (status, errorClass) => {
    server.enqueue({ status });
    const { error } = await collect(createClient().stream(REQUEST));
    expect(error).toBeInstanceOf(errorClass);
    expect((error as ModelError).status).toBe(status);
  });

  it("carries the retry-after of a 429", async () => {
    server.enqueue({ status: 429, retryAfterSeconds: 12 });
    const { error } = await collect(createClient().stream(REQUEST));
    expect(error).toEqual(expect.objectContaining({ retryAfterSeconds: 12 }));
  });

  it("retries a server error up to maxRetries times", async () => {
    server.enqueue({ status: 503 }, { text: "second try" });
    const { pieces, error } = await collect(createClient({ maxRetries: 1 }).stream(REQUEST));
    expect(error).toBeUndefined();
    expect(pieces.join("")).toBe("second try");
    expect(server.chatRequests()).toHaveLength(2);
  });

  it("does not retry a refused API key", async () => {
    server.enqueue({ status: 401 }, { text: "never sent" });
    const { error } = await collect(createClient({ maxRetries: 1 }).stream(REQUEST));
    expect(error).toBeInstanceOf(ModelAuthError);
    expect(server.chatRequests()).toHaveLength(1);
  });

  it.each([
    ["cut", { cutAfterChunks: 1 }],
    ["sent an invalid frame", { invalidFrameAfterChunks: 1 }],
  ])("reports a stream that was %s as a ModelStreamError", async (_name, fault) => {
    server.enqueue({ text: "Hello there", chunkSize: 6, ...fault });
    const { pieces, error } = await collect(createClient().stream(REQUEST));
    expect(pieces).toEqual(["Hello "]);
    expect(error).toBeInstanceOf(ModelStreamError);
  });

  it("reports an empty reply as a ModelStreamError", async () => {
    server.enqueue({ text: "" });
    const { error } = await collect(createClient().stream(REQUEST));
    expect(error).toBeInstanceOf(ModelStreamError);
    expect((error as ModelError).message).toBe("The model returned an empty reply.");
  });

  it("reports a server that cannot be reached as a ModelServerError", async () => {
    const gone = await startFakeModelServer();
    await gone.close();
    const { error } = await collect(createClient({ baseURL: gone.baseURL }).stream(REQUEST));
    expect(error).toBeInstanceOf(ModelServerError);
    expect((error as ModelError).message).toMatch(/^Cannot reach the model server: /);
  });

  it("stops with ModelAbortedError when the signal fires mid-stream", async () => {
    server.enqueue({ text: "Hello there, Ana", chunkSize: 6, chunkDelayMs: 50 });
    const controller = new AbortController();
    const pieces: string[] = [];
    let error: unknown;
    try {
      for await (const piece of createClient().stream(REQUEST, controller.signal)) {
        pieces.push(piece);
        controller.abort();
      }
    } catch (caught) {
      error = caught;
    }
    expect(pieces).toEqual(["Hello "]);
    expect(error).toBeInstanceOf(ModelAbortedError);
  });

  it("sends nothing when the signal has already fired", async () => {
    const { error } = await collect(createClient().stream(REQUEST, AbortSignal.abort()));
    expect(error).toBeInstanceOf(ModelAbortedError);
    expect(server.chatRequests()).toEqual([]);
  });
});

describe("toModelError", () => {
  it("returns a ModelError unchanged", () => {
    const original = new ModelRateLimitError("slow down", 429, 3);
    expect(toModelError(original)).toBe(original);
  });

  it("tells a connection lost mid-stream from one never made", () => {
    const lost = new OpenAI.APIConnectionError({ message: "socket hang up" });
    expect(toModelError(lost, true)).toBeInstanceOf(ModelStreamError);
    expect(toModelError(lost, false)).toBeInstanceOf(ModelServerError);
  });

  it("maps the SDK's own timeout and abort errors", () => {
    expect(toModelError(new OpenAI.APIConnectionTimeoutError())).toBeInstanceOf(ModelTimeoutError);
    expect(toModelError(new OpenAI.APIUserAbortError())).toBeInstanceOf(ModelAbortedError);
  });

  it("names the body field a provider says it does not know, in each provider's words", () => {
    const refusal = (error: object) => toModelError(OpenAI.APIError.generate(400, { error }, undefined, new Headers()));
    // github.com/QuantumNous/new-api/issues/418 (OpenAI's wording, passed through by a gateway).
    const unknown = refusal({
      message: "Unknown parameter: 'stream_options'.",
      type: "invalid_request_error",
      param: "stream_options",
      code: "unknown_parameter",
    });
    // github.com/FlowiseAI/Flowise/issues/2866 (Fireworks).
    const extra = refusal({ message: "Extra inputs are not permitted, field: 'stream_options'" });
    const unrecognized = refusal({ message: "Unrecognized request argument supplied: think" });

    expect([unknown, extra, unrecognized].map((error) => (error as ModelParameterError).parameter)).toEqual([
      "stream_options",
      "stream_options",
      "think",
    ]);
    expect(extra).toBeInstanceOf(ModelParameterError);
  });

  it("treats an unknown error as a broken stream, keeping it as the cause", () => {
    const cause = new SyntaxError("Unexpected token");
    const error = toModelError(cause);
    expect(error).toBeInstanceOf(ModelStreamError);
    expect(error.message).toBe("The reply stream broke: Unexpected token");
    expect(error.cause).toBe(cause);
  });
});

describe("ModelError", () => {
  it("names itself after its class and has words for a person", () => {
    const error = new ModelAuthError("HTTP 401", 401);
    expect(error.name).toBe("ModelAuthError");
    expect(error).toBeInstanceOf(ModelError);
    expect(error.userMessage).toBe("My language model refused my credentials. Please tell the server admin.");
    expect(new ModelServerError("HTTP 500").userMessage).toBe(
      "I couldn't reach my language model just now. Please try again in a moment.",
    );
  });
});
