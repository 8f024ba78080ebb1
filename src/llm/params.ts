import type { Logger } from "../log.js";

/** A value a persona's `params:` may pass through to the provider: JSON without functions or classes. */
export type PlainValue =
  | string
  | number
  | boolean
  | null
  | readonly PlainValue[]
  | { readonly [key: string]: PlainValue };

/** Provider-specific request fields, e.g. `{ reasoning_effort: "low" }` or Ollama's `{ think: false }`. */
export type ExtraParams = Readonly<Record<string, PlainValue>>;

/**
 * Body fields Masque sets itself; a persona's `params:` may not replace them. The limit
 * fields are left out because the engine computes one (a persona sets `max_tokens:`).
 */
export const RESERVED_PARAMS: ReadonlySet<string> = new Set([
  "model",
  "messages",
  "stream",
  "stream_options",
  "n",
  "max_tokens",
  "max_completion_tokens",
]);

/**
 * OpenAI's reasoning models (o1, o3, o4-mini, the GPT-5 family) refuse `max_tokens` in
 * favour of `max_completion_tokens`, and refuse a `temperature` or `top_p` other than the
 * default, each with HTTP 400 (platform.openai.com/docs/guides/reasoning). A name with a
 * provider prefix ("openai/gpt-5" on OpenRouter) goes to a router that translates itself.
 */
const OPENAI_REASONING_MODEL = /^(o\d|gpt-5)/i;

/** Sampling fields those models refuse. */
const FIXED_SAMPLING_PARAMS = ["temperature", "top_p"] as const;

/**
 * For those models `max_completion_tokens` counts the hidden reasoning as well as the
 * answer; OpenAI suggests leaving room for reasoning, so this much is added to the
 * answer's limit (platform.openai.com/docs/guides/reasoning, "Allocating space for reasoning").
 */
export const REASONING_ALLOWANCE_TOKENS = 8_000;

/** Whether `model` is one of OpenAI's reasoning models by name. */
export function isOpenAIReasoningModel(model: string): boolean {
  return OPENAI_REASONING_MODEL.test(model);
}

/** What Masque has learned about one model from its refusals, for as long as the process runs. */
interface LearnedRules {
  /** Body fields to leave out. */
  readonly dropped: Set<string>;
  /** Send the output limit as `max_completion_tokens`. */
  useMaxCompletionTokens: boolean;
}

/**
 * Asks a streamed reply to end with a chunk that carries the usage: prompt and reply tokens,
 * and how many prompt tokens the provider served from its prefix cache
 * (platform.openai.com/docs/api-reference/chat/create, `stream_options`). Some servers refuse
 * the field (vLLM before 0.5.0 forbade every field it did not know); they are asked without it.
 */
const INCLUDE_USAGE = { include_usage: true } as const;
export const STREAM_OPTIONS = "stream_options";

/** The fields of a chat request, before the rules of its model are applied. */
export interface RequestFields {
  readonly model: string;
  readonly temperature?: number;
  readonly topP?: number;
  /** The limit for the answer (the reply), in tokens. */
  readonly maxTokens?: number;
  readonly params?: ExtraParams;
}

/**
 * Which parameters each model accepts: the rules known by name, plus what each model's
 * refusals taught (a 400 naming a parameter). A learned rule is logged once per model.
 */
export class ModelRules {
  readonly #learned = new Map<string, LearnedRules>();

  constructor(private readonly log?: Logger) {}

  /**
   * The body fields of a request to `fields.model`, without the messages and the streaming
   * choice; `askUsage` (for a streamed reply) adds `stream_options` unless the model refused it.
   */
  bodyFields(fields: RequestFields, askUsage = false): Record<string, unknown> {
    const learned = this.#learned.get(fields.model);
    const isReasoning = isOpenAIReasoningModel(fields.model);
    const body: Record<string, unknown> = { temperature: fields.temperature, top_p: fields.topP, ...fields.params };
    if (askUsage) body[STREAM_OPTIONS] = INCLUDE_USAGE;
    if (isReasoning) for (const name of FIXED_SAMPLING_PARAMS) delete body[name];
    // A model that asked for max_completion_tokens is taken for a reasoning model too.
    const reasons = isReasoning || learned?.useMaxCompletionTokens === true;
    if (fields.maxTokens !== undefined)
      body[reasons ? "max_completion_tokens" : "max_tokens"] =
        fields.maxTokens + (reasons ? REASONING_ALLOWANCE_TOKENS : 0);
    for (const name of learned?.dropped ?? []) delete body[name];
    for (const [name, value] of Object.entries(body)) if (value === undefined) delete body[name];
    return body;
  }

  /**
   * Learns from a refused parameter: moves the limit to `replacement` when the provider
   * named one, else leaves `parameter` out from now on. Returns false when there was
   * nothing to learn (it is already left out), so the caller does not retry in vain.
   */
  learn(model: string, parameter: string, replacement: string | undefined, reason: string): boolean {
    const learned = this.#learned.get(model) ?? { dropped: new Set<string>(), useMaxCompletionTokens: false };
    this.#learned.set(model, learned);
    if (parameter === "max_tokens" && replacement === "max_completion_tokens") {
      if (learned.useMaxCompletionTokens) return false;
      learned.useMaxCompletionTokens = true;
      this.log?.warn(
        { model, parameter, replacement },
        `model ${model} refused ${parameter}; sending ${replacement} to it from now on (${reason})`,
      );
      return true;
    }
    if (learned.dropped.has(parameter)) return false;
    learned.dropped.add(parameter);
    // Usage is a nicety: a model without it answers as well, so this is no warning.
    if (parameter === STREAM_OPTIONS)
      this.log?.info(
        { model, parameter },
        `model ${model} refused ${parameter}; asking it without usage from now on (${reason})`,
      );
    else
      this.log?.warn(
        { model, parameter },
        `model ${model} refused ${parameter}; leaving it out from now on (${reason})`,
      );
    return true;
  }
}
