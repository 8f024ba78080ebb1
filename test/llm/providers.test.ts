import { Writable } from "node:stream";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { type ChatRequest, ModelClient, type ReplyEvent } from "../../src/llm/client.js";
import {
  ModelAuthError,
  ModelContextLengthError,
  ModelNotFoundError,
  ModelStreamError,
  ModelTimeoutError,
} from "../../src/llm/errors.js";
import { REASONING_ALLOWANCE_TOKENS } from "../../src/llm/params.js";
import { createLogger } from "../../src/log.js";
import type { ProviderKind } from "../fakes/model-providers.js";
import { type FakeModelServer, startFakeModelServer } from "../fakes/openai-server.js";

const KEY = "sk-test-0123456789";
const SHORT_TIMEOUT_MS = 300;
const REQUEST: ChatRequest = { model: "test-model", messages: [{ role: "user", content: "Ana: Hello?" }] };

let server: FakeModelServer;
let logLines: string[];

beforeAll(async () => {
  vi.stubEnv("OPENAI_LOG", "off");
  server = await startFakeModelServer();
});
afterEach(() => {
  server.reset();
  server.setProvider(undefined);
});
afterAll(async () => {
  vi.unstubAllEnvs();
  await server.close();
});

function createClient(timeoutMs = 5000): ModelClient {
  logLines = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      logLines.push(...String(chunk).split("\n").filter(Boolean));
      done();
    },
  });
  return new ModelClient({
    baseURL: server.baseURL,
    apiKey: KEY,
    timeoutMs,
    maxRetries: 0,
    log: createLogger("info", { stream }),
  });
}

async function collect(
  events: AsyncIterable<ReplyEvent>,
): Promise<{ text: string; reasoning: string; end: string | undefined; error: unknown }> {
  let text = "";
  let reasoning = "";
  let end: string | undefined;
  try {
    for await (const event of events) {
      if (event.type === "end") end = event.reason;
      else if (event.type === "text") text += event.text;
      else reasoning += event.text;
    }
    return { text, reasoning, end, error: undefined };
  } catch (error) {
    return { text, reasoning, end, error };
  }
}

describe("reasoning, as each provider streams it", () => {
  const kinds: ProviderKind[] = ["deepseek", "ollama", "openrouter", "llamacpp"];
  for (const kind of kinds) {
    it(`${kind}: gives the answer as text and the thinking apart`, async () => {
      server.setProvider({ kind });
      server.enqueue({ reasoning: "Ana greets me; I greet her back.", text: "Hello, Ana!", chunkSize: 5 });

      const result = await collect(createClient().events(REQUEST));

      expect(result).toEqual({
        text: "Hello, Ana!",
        reasoning: expect.stringContaining("Ana greets me; I greet her back."),
        end: "stop",
        error: undefined,
      });
    });
  }

  it("fails a reply that is all thinking and no answer, instead of posting nothing", async () => {
    server.setProvider({ kind: "llamacpp" });
    server.enqueue({ reasoning: "Let me think about this for a long time", text: "", finishReason: "length" });

    const result = await collect(createClient().events(REQUEST));

    expect(result.text).toBe("");
    expect(result.error).toBeInstanceOf(ModelStreamError);
    expect((result.error as Error).message).toBe("The model spent its whole output limit on reasoning.");
  });

  it("leaves a <think> block out of a whole (not streamed) answer, as summaries get it", async () => {
    server.setProvider({ kind: "llamacpp" });
    server.enqueue({ reasoning: "Who said what?", text: "Ana greeted the bot." });

    expect(await createClient().complete(REQUEST)).toBe("Ana greeted the bot.");
  });
});

describe("OpenAI's reasoning models", () => {
  it("get max_completion_tokens with room to reason, and no temperature or top_p", async () => {
    server.setProvider({ kind: "openai" });

    const result = await collect(
      createClient().events({
        ...REQUEST,
        model: "gpt-5-mini",
        temperature: 0.9,
        topP: 0.8,
        maxTokens: 300,
        params: { reasoning_effort: "low" },
      }),
    );

    expect(result.error).toBeUndefined();
    expect(server.chatRequests().map((r) => r.body)).toEqual([
      {
        model: "gpt-5-mini",
        messages: REQUEST.messages,
        max_completion_tokens: 300 + REASONING_ALLOWANCE_TOKENS,
        reasoning_effort: "low",
        stream: true,
        stream_options: { include_usage: true },
      },
    ]);
  });

  it("learns from a 400 naming a parameter: retries once without it, remembers it for the model and logs it once", async () => {
    server.setProvider({ kind: "openai" });
    const client = createClient();
    const request = {
      ...REQUEST,
      model: "gpt-4o-mini",
      temperature: 0.5,
      params: { reasoning_effort: "low", think: false },
    };

    const first = await collect(client.events(request));
    const second = await collect(client.events(request));

    expect([first.error, second.error]).toEqual([undefined, undefined]);
    const bodies = server.chatRequests().map((r) => r.body);
    // think refused (unknown field), then reasoning_effort refused (not a reasoning model), then answered.
    expect(bodies.map((b) => Object.keys(b).filter((k) => k === "think" || k === "reasoning_effort"))).toEqual([
      ["reasoning_effort", "think"],
      ["reasoning_effort"],
      [],
      [],
    ]);
    expect(bodies[3]).toMatchObject({ model: "gpt-4o-mini", temperature: 0.5 });
    expect(logLines.filter((line) => line.includes("refused")).length).toBe(2);
  });

  it("moves the limit to max_completion_tokens and drops temperature for a reasoning model unknown by name", async () => {
    // An Azure deployment of o3 may carry any name; only its refusals tell.
    server.setProvider({ kind: "openai", reasoningModels: ["prod-chat"] });
    const client = createClient();
    const request = { ...REQUEST, model: "prod-chat", temperature: 0.9, maxTokens: 100 };

    const first = await collect(client.events(request));
    const second = await collect(client.events(request));

    expect([first.text, second.text]).toEqual(["ok", "ok"]);
    const limits = server.chatRequests().map((r) => ({
      max_tokens: r.body.max_tokens,
      max_completion_tokens: r.body.max_completion_tokens,
      temperature: r.body.temperature,
    }));
    expect(limits).toEqual([
      { max_tokens: 100, max_completion_tokens: undefined, temperature: 0.9 },
      { max_tokens: undefined, max_completion_tokens: 100 + REASONING_ALLOWANCE_TOKENS, temperature: 0.9 },
      { max_tokens: undefined, max_completion_tokens: 100 + REASONING_ALLOWANCE_TOKENS, temperature: undefined },
      { max_tokens: undefined, max_completion_tokens: 100 + REASONING_ALLOWANCE_TOKENS, temperature: undefined },
    ]);
  });
});

describe("typed provider errors", () => {
  it("a bad key is ModelAuthError, an unknown model ModelNotFoundError, for each provider's body", async () => {
    const client = createClient();
    server.setProvider({ kind: "openai", apiKey: "sk-other" });
    expect((await collect(client.events(REQUEST))).error).toBeInstanceOf(ModelAuthError);
    server.setProvider({ kind: "openrouter", apiKey: "sk-other" });
    expect((await collect(client.events(REQUEST))).error).toBeInstanceOf(ModelAuthError);

    for (const kind of ["openai", "deepseek", "openrouter", "ollama"] as const) {
      server.setProvider({ kind, models: ["another-model"] });
      expect({ kind, error: (await collect(client.events(REQUEST))).error }).toEqual({
        kind,
        error: expect.any(ModelNotFoundError),
      });
    }
  });

  it("a prompt too long is ModelContextLengthError with the model's context when the provider says it", async () => {
    const client = createClient();
    const long = { ...REQUEST, messages: [{ role: "user" as const, content: "word ".repeat(200) }], maxTokens: 50 };
    const limits: Array<[ProviderKind, number | undefined]> = [];
    for (const kind of ["openai", "deepseek", "openrouter", "llamacpp"] as const) {
      server.setProvider({ kind, contextTokens: 120 });
      const { error } = await collect(client.events(long));
      expect(error).toBeInstanceOf(ModelContextLengthError);
      limits.push([kind, (error as ModelContextLengthError).limitTokens]);
    }
    expect(limits).toEqual([
      ["openai", 120],
      ["deepseek", 120],
      ["openrouter", 120],
      ["llamacpp", 120],
    ]);
  });
});

describe("replies that end", () => {
  it("reports a reply cut by the output limit as ending for length", async () => {
    server.enqueue({ text: "Once upon a time there", finishReason: "length" });

    expect(await collect(createClient().events(REQUEST))).toEqual({
      text: "Once upon a time there",
      reasoning: "",
      end: "length",
      error: undefined,
    });
  });

  it("ends an endless stream at the deadline with the text so far", async () => {
    server.enqueue({ text: "more and ", endless: true, chunkDelayMs: 5 });
    const started = performance.now();

    const result = await collect(createClient().events(REQUEST, { deadlineMs: SHORT_TIMEOUT_MS }));

    expect(result.end).toBe("deadline");
    expect(result.error).toBeUndefined();
    expect(result.text.startsWith("more and more and ")).toBe(true);
    expect(performance.now() - started).toBeLessThan(SHORT_TIMEOUT_MS * 10);
  });

  it("does not let empty keep-alive chunks hold a stalled reply open past the idle timeout", async () => {
    server.enqueue({ text: "Thinking", emptyChunksEveryMs: 20 });

    const result = await collect(createClient(SHORT_TIMEOUT_MS).events(REQUEST));

    expect(result.text).toBe("Thinking");
    expect(result.error).toBeInstanceOf(ModelTimeoutError);
  });

  it("counts reasoning as life: a model that thinks aloud for longer than the idle timeout is not cut", async () => {
    server.setProvider({ kind: "deepseek" });
    server.enqueue({
      reasoning: "step one, step two, step three",
      chunkSize: 6,
      chunkDelayMs: SHORT_TIMEOUT_MS / 3,
      text: "Done.",
    });

    const result = await collect(createClient(SHORT_TIMEOUT_MS).events(REQUEST));

    expect(result).toMatchObject({ text: "Done.", end: "stop", error: undefined });
  });
});

describe("usage in the stream (stream_options)", () => {
  it("a refusal for another reason is not taken for one of stream_options: the model is still asked for usage", async () => {
    // vLLM 0.4 refuses any unknown field with a body the SDK cannot read, so the first 400
    // looks the same whichever field caused it; only an answer without stream_options proves it.
    server.setProvider({ kind: "vllm" });
    const client = createClient();
    const withUnknownParam: ChatRequest = { ...REQUEST, params: { think: false } };

    const refused = await collect(client.events(withUnknownParam));
    const answered = await collect(client.events(REQUEST));

    expect(refused.error).toBeInstanceOf(Error);
    expect(answered.text).toBe("ok");
    expect(server.chatRequests().map((r) => [r.body.stream_options !== undefined, r.body.think !== undefined])).toEqual(
      [
        [true, true],
        [false, true],
        [true, false],
        [false, false],
      ],
    );
    expect(logLines.filter((line) => line.includes("stream_options"))).toHaveLength(1);
  });
});
