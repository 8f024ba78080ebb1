import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { type FakeModelServer, startFakeModelServer } from "./openai-server.js";

// Plain HTTP here (not the SDK), to see the exact status and body each provider answers.

const KEY = "sk-right-key-0123456789";
let server: FakeModelServer;

beforeAll(async () => {
  server = await startFakeModelServer();
});
afterEach(() => {
  server.reset();
  server.setProvider(undefined);
});
afterAll(() => server.close());

async function post(body: object, key = KEY): Promise<{ status: number; body: unknown }> {
  const response = await fetch(`${server.baseURL}/chat/completions`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${key}` },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  return {
    status: response.status,
    body: response.headers.get("content-type")?.includes("json") ? JSON.parse(text) : text,
  };
}

/** The SSE data frames of a streamed answer, parsed. */
async function frames(
  body: object,
): Promise<Array<{ choices: Array<{ delta: Record<string, unknown>; finish_reason: string | null }> }>> {
  const { body: text } = await post({ ...body, stream: true });
  return String(text)
    .split("\n\n")
    .filter((frame) => frame.startsWith("data: {"))
    .map((frame) => JSON.parse(frame.slice("data: ".length)));
}

const HELLO = [{ role: "user", content: "Hello" }];

describe("the OpenAI provider", () => {
  it("refuses max_tokens and a non-default temperature for reasoning models, with OpenAI's error bodies", async () => {
    server.setProvider({ kind: "openai" });

    expect(await post({ model: "gpt-5-mini", messages: HELLO, max_tokens: 100 })).toEqual({
      status: 400,
      body: {
        error: {
          message:
            "Unsupported parameter: 'max_tokens' is not supported with this model. Use 'max_completion_tokens' instead.",
          type: "invalid_request_error",
          param: "max_tokens",
          code: "unsupported_parameter",
        },
      },
    });
    expect(await post({ model: "o3", messages: HELLO, temperature: 0.7 })).toEqual({
      status: 400,
      body: {
        error: {
          message:
            "Unsupported value: 'temperature' does not support 0.7 with this model. Only the default (1) value is supported.",
          type: "invalid_request_error",
          param: "temperature",
          code: "unsupported_value",
        },
      },
    });
    expect(
      (
        await post({
          model: "gpt-5",
          messages: HELLO,
          temperature: 1,
          max_completion_tokens: 100,
          reasoning_effort: "low",
        })
      ).status,
    ).toBe(200);
    expect((await post({ model: "gpt-4o", messages: HELLO, temperature: 0.7, max_tokens: 100 })).status).toBe(200);
  });

  it("refuses reasoning_effort for other models, and body fields it does not know", async () => {
    server.setProvider({ kind: "openai" });

    expect(await post({ model: "gpt-4o-mini", messages: HELLO, reasoning_effort: "low" })).toMatchObject({
      status: 400,
      body: { error: { param: "reasoning_effort", code: "unsupported_parameter" } },
    });
    expect(await post({ model: "gpt-4o-mini", messages: HELLO, think: false })).toEqual({
      status: 400,
      body: {
        error: {
          message: "Unrecognized request argument supplied: think",
          type: "invalid_request_error",
          param: null,
          code: null,
        },
      },
    });
  });

  it("answers a bad key with 401, an unknown model with 404, and a long prompt with context_length_exceeded", async () => {
    server.setProvider({ kind: "openai", apiKey: KEY, models: ["gpt-5-mini"], contextTokens: 50 });

    expect(await post({ model: "gpt-5-mini", messages: HELLO }, "sk-wrong-key-abcdefgh")).toMatchObject({
      status: 401,
      body: { error: { code: "invalid_api_key", param: null } },
    });
    expect(await post({ model: "gpt-9", messages: HELLO })).toEqual({
      status: 404,
      body: {
        error: {
          message: "The model `gpt-9` does not exist or you do not have access to it.",
          type: "invalid_request_error",
          param: null,
          code: "model_not_found",
        },
      },
    });
    const long = [{ role: "user", content: "word ".repeat(100) }];
    expect(await post({ model: "gpt-5-mini", messages: long })).toMatchObject({
      status: 400,
      body: { error: { param: "messages", code: "context_length_exceeded" } },
    });
  });

  it("hides a reasoning model's thinking, and answers nothing when it spent the whole limit on it", async () => {
    server.setProvider({ kind: "openai" });
    server.enqueue({ text: "Four.", reasoningTokens: 500 }, { text: "Four.", reasoningTokens: 500 });

    const answered = await frames({ model: "gpt-5-mini", messages: HELLO, max_completion_tokens: 2000 });
    const thoughtOut = await frames({ model: "gpt-5-mini", messages: HELLO, max_completion_tokens: 400 });

    expect(answered.map((f) => f.choices[0]?.delta.content).join("")).toBe("Four.");
    expect(thoughtOut.map((f) => f.choices[0]?.delta.content ?? "").join("")).toBe("");
    expect(thoughtOut.at(-1)?.choices[0]?.finish_reason).toBe("length");
  });
});

describe("providers that show their thinking", () => {
  it("streams DeepSeek's reasoning_content, then the answer in content", async () => {
    server.setProvider({ kind: "deepseek" });
    server.enqueue({ reasoning: "They greet me.", text: "Hi!", chunkSize: 8 });

    const deltas = (await frames({ model: "deepseek-reasoner", messages: HELLO })).map((f) => f.choices[0]?.delta);

    expect(deltas.slice(1, 3)).toEqual([
      { content: null, reasoning_content: "They gre" },
      { content: null, reasoning_content: "et me." },
    ]);
    expect(deltas[3]).toEqual({ content: "Hi!" });
  });

  it("streams Ollama's and OpenRouter's reasoning field", async () => {
    server.setProvider({ kind: "ollama" });
    server.enqueue({ reasoning: "Hmm.", text: "Hi!" });
    expect((await frames({ model: "qwen3:8b", messages: HELLO }))[1]?.choices[0]?.delta).toEqual({
      content: "",
      reasoning: "Hmm.",
    });

    server.setProvider({ kind: "openrouter" });
    server.enqueue({ reasoning: "Hmm.", text: "Hi!" });
    expect((await frames({ model: "deepseek/deepseek-r1", messages: HELLO }))[1]?.choices[0]?.delta).toMatchObject({
      content: "",
      reasoning: "Hmm.",
    });
  });

  it("writes llama.cpp's thinking into the text as a <think> block, cut wherever the chunks fall", async () => {
    server.setProvider({ kind: "llamacpp" });
    server.enqueue({ reasoning: "Hmm.", text: "Hi!", chunkSize: 5 });

    const contents = (await frames({ model: "anything", messages: HELLO })).map(
      (f) => f.choices[0]?.delta.content ?? "",
    );

    expect(contents.join("")).toBe("<think>\nHmm.\n</think>\n\nHi!");
    expect(contents).toContain("<thin");
  });

  it("answers each provider's own unknown-model and context errors", async () => {
    const long = [{ role: "user", content: "word ".repeat(100) }];
    server.setProvider({ kind: "deepseek", models: ["deepseek-chat"] });
    expect(await post({ model: "deepseek-r1", messages: HELLO })).toEqual({
      status: 400,
      body: {
        error: {
          message: "Model Not Exist",
          type: "invalid_request_error",
          param: null,
          code: "invalid_request_error",
        },
      },
    });

    server.setProvider({ kind: "openrouter", models: ["openai/gpt-5"] });
    expect(await post({ model: "gpt-5", messages: HELLO })).toEqual({
      status: 400,
      body: { error: { code: 400, message: "gpt-5 is not a valid model ID" } },
    });

    server.setProvider({ kind: "ollama", models: ["qwen3:8b"] });
    expect(await post({ model: "qwen3:32b", messages: HELLO })).toMatchObject({
      status: 404,
      body: { error: { message: 'model "qwen3:32b" not found, try pulling it first' } },
    });

    server.setProvider({ kind: "llamacpp", contextTokens: 100 });
    expect(await post({ model: "x", messages: long, max_tokens: 10 })).toMatchObject({
      status: 400,
      body: { error: { type: "exceed_context_size_error", n_ctx: 100 } },
    });
  });
});

describe("vLLM before 0.5.0", () => {
  it("refuses stream_options like any field it does not know, with its error body at the top level", async () => {
    server.setProvider({ kind: "vllm", models: ["qwen2-7b"] });

    const refused = await post({
      model: "qwen2-7b",
      messages: HELLO,
      stream: true,
      stream_options: { include_usage: true },
    });

    // As seen in github.com/modelscope/ms-agent/issues/489.
    expect(refused).toEqual({
      status: 400,
      body: {
        object: "error",
        message: `[{'type': 'extra_forbidden', 'loc': ('body', 'stream_options'), 'msg': 'Extra inputs are not permitted', 'input': {"include_usage":true}}]`,
        type: "BadRequestError",
        param: null,
        code: 400,
      },
    });
    expect((await post({ model: "qwen2-7b", messages: HELLO, max_tokens: 5 })).status).toBe(200);
    expect(await post({ model: "qwen2-72b", messages: HELLO })).toMatchObject({
      status: 404,
      body: { object: "error", message: "The model `qwen2-72b` does not exist." },
    });
  });

  it("writes the thinking into the text, having no reasoning parser", async () => {
    server.setProvider({ kind: "vllm" });
    server.enqueue({ reasoning: "Hmm.", text: "Hi!" });

    const contents = (await frames({ model: "any", messages: HELLO })).map((f) => f.choices[0]?.delta.content ?? "");

    expect(contents.join("")).toBe("<think>\nHmm.\n</think>\n\nHi!");
  });
});
