/**
 * The providers people run Masque against, as the fake model server plays them: how each
 * refuses a request (status and error body, as documented or as seen in the wild) and how
 * each streams a reasoning model's thinking. Sources are named at each rule.
 */

/** Which real provider the fake behaves like. */
export type ProviderKind = "openai" | "deepseek" | "ollama" | "openrouter" | "llamacpp" | "vllm";

export interface ProviderSettings {
  readonly kind: ProviderKind;
  /** Only this key is accepted (`Authorization: Bearer …`); any other gets the provider's 401. */
  readonly apiKey?: string;
  /** The models it serves; any other gets the provider's unknown-model error. */
  readonly models?: readonly string[];
  /** The model's context in (estimated) tokens; a longer prompt plus reply limit gets the provider's error. */
  readonly contextTokens?: number;
  /** More names that follow OpenAI's reasoning-model rules, as an Azure deployment of o3 named "prod-chat" does. */
  readonly reasoningModels?: readonly string[];
}

/** An HTTP error answer. */
export interface ProviderRefusal {
  readonly status: number;
  readonly body: unknown;
}

/** Rough OpenAI rule of thumb for estimating tokens from characters. */
export const CHARS_PER_TOKEN = 4;

/**
 * OpenAI's reasoning models by name (o1, o3, o4-mini, gpt-5, gpt-5-mini, gpt-5.1 …)
 * (platform.openai.com/docs/guides/reasoning).
 */
const OPENAI_REASONING_MODEL = /^(o\d|gpt-5)/;
/** reasoning_effort values the GPT-5 family accepts (platform.openai.com/docs/api-reference/chat/create). */
const REASONING_EFFORTS = ["none", "minimal", "low", "medium", "high", "xhigh"];
/** Body fields OpenAI's chat completions endpoint knows (a subset: what the bot may send). */
const OPENAI_KNOWN_FIELDS = new Set([
  "model",
  "messages",
  "stream",
  "stream_options",
  "temperature",
  "top_p",
  "max_tokens",
  "max_completion_tokens",
  "reasoning_effort",
  "n",
  "stop",
  "presence_penalty",
  "frequency_penalty",
  "seed",
  "user",
  "response_format",
  "logit_bias",
  "verbosity",
]);

/**
 * The body fields vLLM's OpenAI server knew before 0.5.0 (vllm/entrypoints/openai/protocol.py,
 * ChatCompletionRequest, v0.4.3): its pydantic model forbade any other, `stream_options`
 * included, which vLLM learnt in 0.5.0 (github.com/vllm-project/vllm/issues/4967; the
 * refusal as seen in github.com/modelscope/ms-agent/issues/489).
 */
const VLLM_KNOWN_FIELDS = new Set([
  ...[
    "model",
    "messages",
    "stream",
    "temperature",
    "top_p",
    "max_tokens",
    "n",
    "stop",
    "presence_penalty",
    "frequency_penalty",
    "seed",
    "user",
    "response_format",
    "logit_bias",
  ],
  ...[
    "logprobs",
    "top_logprobs",
    "tools",
    "tool_choice",
    "best_of",
    "use_beam_search",
    "top_k",
    "min_p",
    "repetition_penalty",
    "length_penalty",
    "early_stopping",
  ],
  ...[
    "ignore_eos",
    "min_tokens",
    "stop_token_ids",
    "skip_special_tokens",
    "spaces_between_special_tokens",
    "echo",
    "add_generation_prompt",
    "include_stop_str_in_output",
  ],
  ...[
    "guided_json",
    "guided_regex",
    "guided_choice",
    "guided_grammar",
    "guided_decoding_backend",
    "guided_whitespace_pattern",
  ],
]);

export function isOpenAIReasoningModel(model: string): boolean {
  return OPENAI_REASONING_MODEL.test(model);
}

/** The shape OpenAI uses for every error: `{"error":{"message","type","param","code"}}`. */
function openAIError(
  status: number,
  message: string,
  type: string,
  param: string | null,
  code: string | null,
): ProviderRefusal {
  return { status, body: { error: { message, type, param, code } } };
}

/** OpenRouter's shape: `{"error":{"code":<status>,"message"}}` (openrouter.ai/docs/api/reference/errors-and-debugging). */
function openRouterError(status: number, message: string): ProviderRefusal {
  return { status, body: { error: { code: status, message } } };
}

function estimateTokens(text: string): number {
  return Math.ceil(text.length / CHARS_PER_TOKEN);
}

/**
 * vLLM's error body before 0.5.0: the ErrorResponse at the top level, with no `error` key
 * (vllm/entrypoints/openai/protocol.py), so the openai SDK finds no message in it.
 */
function vllmError(status: number, message: string, type: string): ProviderRefusal {
  return { status, body: { object: "error", message, type, param: null, code: status } };
}

/** Masks a key the way OpenAI's 401 does: the first few and last four characters. */
function maskKey(key: string): string {
  return key.length <= 8 ? "***" : `${key.slice(0, 3)}${"*".repeat(key.length - 7)}${key.slice(-4)}`;
}

function authRefusal(kind: ProviderKind, sentKey: string): ProviderRefusal | undefined {
  switch (kind) {
    case "openai":
      // Seen verbatim in many reports, e.g. github.com/chatanywhere/GPT_API_free/issues/62.
      return openAIError(
        401,
        `Incorrect API key provided: ${maskKey(sentKey)}. You can find your API key at https://platform.openai.com/account/api-keys.`,
        "invalid_request_error",
        null,
        "invalid_api_key",
      );
    case "deepseek":
      // api-docs.deepseek.com/quick_start/error_codes: 401 Authentication Fails.
      return openAIError(
        401,
        `Authentication Fails, Your api key: ****${sentKey.slice(-4)} is invalid`,
        "authentication_error",
        null,
        "invalid_request_error",
      );
    case "openrouter":
      return openRouterError(401, "User not found.");
    case "llamacpp":
      // llama-server started with --api-key (tools/server/server.cpp: "Invalid API Key", type authentication_error).
      return { status: 401, body: { error: { code: 401, message: "Invalid API Key", type: "authentication_error" } } };
    case "vllm":
      // vllm/entrypoints/openai/api_server.py, started with --api-key.
      return { status: 401, body: { error: "Unauthorized" } };
    case "ollama":
      return undefined; // Ollama takes no key and ignores the one it is sent
  }
}

function unknownModelRefusal(kind: ProviderKind, model: string): ProviderRefusal | undefined {
  switch (kind) {
    case "openai":
      // e.g. github.com/timkmecl/chatgpt-vscode/issues/45
      return openAIError(
        404,
        `The model \`${model}\` does not exist or you do not have access to it.`,
        "invalid_request_error",
        null,
        "model_not_found",
      );
    case "deepseek":
      // DeepSeek answers 400, not 404: github.com/langbot-app/LangBot/issues/1643
      return openAIError(400, "Model Not Exist", "invalid_request_error", null, "invalid_request_error");
    case "openrouter":
      // github.com/OpenRouterTeam/openrouter-examples/issues/74
      return openRouterError(400, `${model} is not a valid model ID`);
    case "ollama":
      // Ollama's OpenAI layer: github.com/netease-youdao/QAnything/issues/555
      return openAIError(404, `model "${model}" not found, try pulling it first`, "api_error", null, null);
    case "vllm":
      // vllm/entrypoints/openai/serving_engine.py, _check_model.
      return vllmError(404, `The model \`${model}\` does not exist.`, "NotFoundError");
    case "llamacpp":
      return undefined; // llama-server serves the one model it loaded, whatever the request names
  }
}

function contextRefusal(
  kind: ProviderKind,
  limit: number,
  promptTokens: number,
  replyTokens: number,
): ProviderRefusal | undefined {
  const requested = promptTokens + replyTokens;
  switch (kind) {
    case "openai":
      // e.g. github.com/chathub-dev/chathub/issues/126
      return openAIError(
        400,
        `This model's maximum context length is ${limit} tokens. However, your messages resulted in ${promptTokens} tokens. Please reduce the length of the messages.`,
        "invalid_request_error",
        "messages",
        "context_length_exceeded",
      );
    case "deepseek":
      // github.com/evalstate/fast-agent/issues/621
      return openAIError(
        400,
        `This model's maximum context length is ${limit} tokens. However, you requested ${requested} tokens (${promptTokens} in the messages, ${replyTokens} in the completion). Please reduce the length of the messages or completion.`,
        "invalid_request_error",
        null,
        "invalid_request_error",
      );
    case "openrouter":
      return openRouterError(
        400,
        `This endpoint's maximum context length is ${limit} tokens. However, you requested about ${requested} tokens (${promptTokens} of text input, ${replyTokens} in the output). Please reduce the length of either one.`,
      );
    case "llamacpp":
      // github.com/ggml-org/llama.cpp/pull/15780 and github.com/oobabooga/textgen/issues/7257
      return {
        status: 400,
        body: {
          error: {
            code: 400,
            message: "the request exceeds the available context size, try increasing it",
            type: "exceed_context_size_error",
            n_prompt_tokens: promptTokens,
            n_ctx: limit,
          },
        },
      };
    case "vllm":
      // vllm/entrypoints/openai/serving_engine.py, _validate_prompt_and_tokenize.
      return vllmError(
        400,
        `This model's maximum context length is ${limit} tokens. However, you requested ${requested} tokens (${promptTokens} in the messages, ${replyTokens} in the completion). Please reduce the length of the messages or completion.`,
        "BadRequestError",
      );
    case "ollama":
      return undefined; // Ollama cuts the prompt to num_ctx silently instead of refusing it
  }
}

/**
 * OpenAI's reasoning models refuse `max_tokens` and a non-default `temperature`/`top_p`;
 * other OpenAI models refuse `reasoning_effort`; any OpenAI model refuses a body field it
 * does not know. Bodies as OpenAI sends them, e.g. github.com/griptape-ai/ComfyUI-Griptape/issues/312
 * and github.com/gabrii/Cursor-Azure-GPT-5/issues/33.
 */
// biome-ignore lint/suspicious/noExplicitAny: the parsed request body, of any shape
function openAIParameterRefusal(body: any, reasoningModels: readonly string[]): ProviderRefusal | undefined {
  const model = String(body.model);
  const unknownField = Object.keys(body).find((name) => !OPENAI_KNOWN_FIELDS.has(name));
  if (unknownField)
    return openAIError(
      400,
      `Unrecognized request argument supplied: ${unknownField}`,
      "invalid_request_error",
      null,
      null,
    );
  if (!isOpenAIReasoningModel(model) && !reasoningModels.includes(model)) {
    if (body.reasoning_effort !== undefined)
      return openAIError(
        400,
        "Unsupported parameter: 'reasoning_effort' is not supported with this model.",
        "invalid_request_error",
        "reasoning_effort",
        "unsupported_parameter",
      );
    return undefined;
  }
  if (body.max_tokens !== undefined) {
    return openAIError(
      400,
      "Unsupported parameter: 'max_tokens' is not supported with this model. Use 'max_completion_tokens' instead.",
      "invalid_request_error",
      "max_tokens",
      "unsupported_parameter",
    );
  }
  for (const name of ["temperature", "top_p"]) {
    if (body[name] !== undefined && body[name] !== 1) {
      return openAIError(
        400,
        `Unsupported value: '${name}' does not support ${body[name]} with this model. Only the default (1) value is supported.`,
        "invalid_request_error",
        name,
        "unsupported_value",
      );
    }
  }
  if (body.reasoning_effort !== undefined && !REASONING_EFFORTS.includes(body.reasoning_effort)) {
    return openAIError(
      400,
      `Invalid value: '${body.reasoning_effort}'. Supported values are: ${REASONING_EFFORTS.map((e) => `'${e}'`).join(", ")}.`,
      "invalid_request_error",
      "reasoning_effort",
      "invalid_value",
    );
  }
  return undefined;
}

/** Why the provider refuses this request, or undefined when it answers it. */
// biome-ignore lint/suspicious/noExplicitAny: the parsed request body, of any shape
export function providerRefusal(
  settings: ProviderSettings,
  authorization: string | undefined,
  body: any,
): ProviderRefusal | undefined {
  const { kind } = settings;
  const sentKey = authorization?.replace(/^Bearer /, "") ?? "";
  if (settings.apiKey !== undefined && sentKey !== settings.apiKey) {
    const refusal = authRefusal(kind, sentKey);
    if (refusal) return refusal;
  }
  const model = String(body?.model);
  if (settings.models && !settings.models.includes(model)) {
    const refusal = unknownModelRefusal(kind, model);
    if (refusal) return refusal;
  }
  if (kind === "openai") {
    const refusal = openAIParameterRefusal(body, settings.reasoningModels ?? []);
    if (refusal) return refusal;
  }
  const vllmUnknownField =
    kind === "vllm" ? Object.keys(body ?? {}).find((name) => !VLLM_KNOWN_FIELDS.has(name)) : undefined;
  if (vllmUnknownField !== undefined) {
    const input = JSON.stringify(body[vllmUnknownField]);
    return vllmError(
      400,
      `[{'type': 'extra_forbidden', 'loc': ('body', '${vllmUnknownField}'), 'msg': 'Extra inputs are not permitted', 'input': ${input}}]`,
      "BadRequestError",
    );
  }
  if (settings.contextTokens !== undefined) {
    const promptTokens = estimateTokens(JSON.stringify(body?.messages ?? ""));
    const replyTokens = Number(body?.max_completion_tokens ?? body?.max_tokens ?? 0);
    // OpenAI counts the prompt alone; the others count the prompt plus the room asked for the reply.
    const needed = kind === "openai" ? promptTokens : promptTokens + replyTokens;
    if (needed > settings.contextTokens) return contextRefusal(kind, settings.contextTokens, promptTokens, replyTokens);
  }
  return undefined;
}

/**
 * The stream deltas that carry one piece of thinking, or undefined when the provider puts
 * it into the text (llama.cpp) or keeps it hidden (OpenAI).
 */
export function reasoningDelta(kind: ProviderKind, text: string): object | undefined {
  switch (kind) {
    case "deepseek":
      // api-docs.deepseek.com/guides/reasoning_model: reasoning_content beside content.
      return { content: null, reasoning_content: text };
    case "ollama":
      // Ollama's OpenAI layer (openai/openai.go: Reasoning string `json:"reasoning"`).
      return { content: "", reasoning: text };
    case "openrouter":
      // openrouter.ai/docs/use-cases/reasoning-tokens: `reasoning`, and `reasoning_details`.
      return {
        content: "",
        reasoning: text,
        reasoning_details: [{ type: "reasoning.text", text, format: "unknown", index: 0 }],
      };
    default:
      return undefined;
  }
}

/** Whether the provider streams thinking inside the text, in a `<think>` block (see thinkInText). */
export function thinksInText(kind: ProviderKind): boolean {
  // vLLM 0.4 had no reasoning parser yet (docs.vllm.ai/en/latest/features/reasoning_outputs.html).
  return kind === "llamacpp" || kind === "vllm";
}

/**
 * The text a model served without a reasoning parser writes: its thinking in a `<think>`
 * block before the answer (llama.cpp with --reasoning-format none, vLLM without a
 * reasoning parser: docs.vllm.ai/en/latest/features/reasoning_outputs.html).
 */
export function thinkInText(reasoning: string, answer: string): string {
  return `<think>\n${reasoning}\n</think>\n\n${answer}`;
}
