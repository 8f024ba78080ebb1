/**
 * A fake OpenAI-compatible HTTP server for tests. It is a real `node:http` server on
 * 127.0.0.1, so the real `openai` SDK talks to it through `baseURL`, and each reply can
 * be scripted to misbehave (errors, delays, cut or stalled streams, broken frames). Given
 * a provider kind it also plays that provider (see model-providers.ts): its refusals and
 * error bodies, and how it streams a model's thinking.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { performance } from "node:perf_hooks";
import { setTimeout as sleep } from "node:timers/promises";
import { embeddingsAnswer } from "./fake-embeddings.js";
import {
  CHARS_PER_TOKEN,
  type ProviderKind,
  type ProviderSettings,
  providerRefusal,
  reasoningDelta,
  thinkInText,
  thinksInText,
} from "./model-providers.js";

const HOST = "127.0.0.1";
const API_PREFIX = "/v1";
const CHAT_PATH = `${API_PREFIX}/chat/completions`;
const MODERATIONS_PATH = `${API_PREFIX}/moderations`;
const MODELS_PATH = `${API_PREFIX}/models`;
const EMBEDDINGS_PATH = `${API_PREFIX}/embeddings`;
const FAKE_MODEL_ID = "fake-model";
const FAKE_MODERATION_MODEL_ID = "omni-moderation-latest";
const DEFAULT_TEXT = "ok";
const DEFAULT_CHUNK_SIZE = 8;
const DEFAULT_FINISH_REASON = "stop";
const DEFAULT_WAIT_TIMEOUT_MS = 5_000;
const INVALID_FRAME = "data: {not json\n\n";
const DONE_FRAME = "data: [DONE]\n\n";
/**
 * OpenAI's prompt cache (platform.openai.com/docs/guides/prompt-caching, "Requirements"):
 * "Caching is available for prompts containing 1024 tokens or more, with cache hits
 * occurring in increments of 128 tokens", reported as `usage.prompt_tokens_details.cached_tokens`
 * (zero below 1024). The fake serves from the prompts of its latest answered requests.
 */
const CACHE_MIN_TOKENS = 1024;
const CACHE_STEP_TOKENS = 128;
const CACHED_PROMPTS = 8;

/** The categories OpenAI's moderation endpoint reports; all false unless scripted. */
const MODERATION_CATEGORIES = [
  "harassment",
  "harassment/threatening",
  "hate",
  "hate/threatening",
  "illicit",
  "illicit/violent",
  "self-harm",
  "self-harm/intent",
  "self-harm/instructions",
  "sexual",
  "sexual/minors",
  "violence",
  "violence/graphic",
] as const;

/** One request as the fake received it. */
export interface RecordedRequest {
  method: string;
  path: string;
  headers: Record<string, string | string[] | undefined>;
  // biome-ignore lint/suspicious/noExplicitAny: parsed JSON of any shape; tests read fields directly
  body: any;
  /** `performance.now()` when the request body had been read. */
  receivedAt: number;
  /** `performance.now()` when the last content chunk of a streamed reply was written. */
  lastChunkAt?: number;
  /** The usage the fake reported for it (in the response, or the stream's usage chunk). */
  usage?: Usage;
}

/** What the fake does for one request. */
export interface ScriptedReply {
  /** The completion text (default "ok"). */
  text?: string;
  /** Explicit stream chunks (overrides splitting `text`). */
  chunks?: string[];
  /** Split `text` into chunks of this many characters (default 8). */
  chunkSize?: number;
  /** Delay before the response headers. */
  delayMs?: number;
  /** Hold the response headers until this settles (a test opens the gate when it is ready). */
  holdUntil?: Promise<unknown>;
  /** Delay between stream chunks. */
  chunkDelayMs?: number;
  /** Return this HTTP error status instead, with an OpenAI-style error body. */
  status?: number;
  /** Sets the retry-after header on the error response (meant for status 429). */
  retryAfterSeconds?: number;
  /** Stream: after N content chunks, destroy the socket abruptly. */
  cutAfterChunks?: number;
  /** Stream: after N content chunks, send the frame `data: {not json` and end. */
  invalidFrameAfterChunks?: number;
  /** Stream: after N content chunks, send nothing more but keep the connection open. */
  stallAfterChunks?: number;
  /** Default "stop". */
  finishReason?: string;
  /**
   * Default: estimated from the request messages and the reply text, with the prompt's
   * prefix shared with a recent request as cached tokens (OpenAI, and a plain server).
   */
  usage?: Usage;
  /**
   * The model's thinking before the answer, streamed as the provider kind does: in
   * `reasoning_content` (deepseek) or `reasoning` (ollama, openrouter) deltas, in a
   * `<think>` block inside the text (llamacpp), or not at all (openai, or no provider).
   */
  reasoning?: string;
  /**
   * OpenAI reasoning models think unseen; this many tokens of it count against
   * `max_completion_tokens`: a limit not above it ends the reply with no text and
   * finish_reason "length" (platform.openai.com/docs/guides/reasoning).
   */
  reasoningTokens?: number;
  /** Stream: after the text, keep sending it again, chunk by chunk, until the client goes away. */
  endless?: boolean;
  /** Stream: after the text, keep sending empty deltas this often until the client goes away (keep-alives). */
  emptyChunksEveryMs?: number;
}

/** Token counts as OpenAI reports them (`total_tokens` is added). */
export interface Usage {
  prompt_tokens: number;
  completion_tokens: number;
  prompt_tokens_details?: { cached_tokens: number };
}

/** A fixed reply, or one computed from the request it answers. */
export type ReplyScript = ScriptedReply | ((req: RecordedRequest) => ScriptedReply);

/** How the fake answers an embeddings request: late, with an error status, or both (default: at once, with vectors). */
export interface EmbeddingScript {
  readonly delayMs?: number;
  /** Return this HTTP error status instead, with an OpenAI-style error body. */
  readonly status?: number;
}

type ModerationFn = (input: string) => { flagged: boolean; categories?: Record<string, boolean> };

/** A running fake; see {@link startFakeModelServer}. */
export interface FakeModelServer {
  /** e.g. "http://127.0.0.1:43123/v1" */
  readonly baseURL: string;
  /** Every request, in order (all paths). */
  readonly requests: RecordedRequest[];
  /** Chat-completion requests only (POST /v1/chat/completions), in order. */
  chatRequests(): RecordedRequest[];
  /** Queue replies used in order by the next chat-completion requests. */
  enqueue(...replies: ReplyScript[]): void;
  /** Reply used when the queue is empty (default: {text: "ok"}). */
  setDefault(reply: ReplyScript): void;
  /** Resolves when the n-th (1-based, counting all so far) chat request has arrived. */
  waitForChatRequests(n: number, timeoutMs?: number): Promise<RecordedRequest[]>;
  /** Embeddings requests only (POST /v1/embeddings, see fake-embeddings.ts), in order. */
  embeddingRequests(): RecordedRequest[];
  /** How the next embeddings requests are answered (latency, errors); {} answers at once. */
  setEmbeddings(script: EmbeddingScript): void;
  /** Set a moderation result function for POST /v1/moderations (default: nothing flagged). */
  setModeration(fn: ModerationFn): void;
  /** Plays this provider from now on; undefined plays a plain server that refuses nothing. */
  setProvider(settings: ProviderSettings | undefined): void;
  /** Clears requests, queue, default reply, moderation function, embeddings script and prompt cache (the provider stays). */
  reset(): void;
  /** Closes the server and destroys all open sockets, so tests tear down instantly. */
  close(): Promise<void>;
}

interface ChatWaiter {
  count: number;
  resolve: () => void;
}

const DEFAULT_REPLY: ScriptedReply = { text: DEFAULT_TEXT };
const NOTHING_FLAGGED: ModerationFn = () => ({ flagged: false });

/** Starts a fake model server on a random local port. */
export async function startFakeModelServer(initialProvider?: ProviderSettings): Promise<FakeModelServer> {
  let provider = initialProvider;
  const requests: RecordedRequest[] = [];
  const queue: ReplyScript[] = [];
  let defaultReply: ReplyScript = DEFAULT_REPLY;
  let moderate: ModerationFn = NOTHING_FLAGGED;
  let embeddingScript: EmbeddingScript = {};
  let waiters: ChatWaiter[] = [];
  let completionCount = 0;
  /** The prompts (messages as JSON) of the latest answered chat requests, newest last. */
  const cachedPrompts: string[] = [];

  const chatRequests = () => requests.filter(isChatRequest);

  const notifyWaiters = () => {
    const chatCount = chatRequests().length;
    const ready = waiters.filter((w) => w.count <= chatCount);
    waiters = waiters.filter((w) => w.count > chatCount);
    for (const waiter of ready) waiter.resolve();
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const recorded = await readRequest(req);
    requests.push(recorded);
    notifyWaiters();

    const route = `${recorded.method} ${recorded.path}`;
    const refusal =
      route === `POST ${CHAT_PATH}` && provider
        ? providerRefusal(provider, String(recorded.headers.authorization ?? ""), recorded.body)
        : undefined;
    if (refusal) {
      sendJson(res, refusal.status, refusal.body);
    } else if (route === `POST ${CHAT_PATH}`) {
      const script = queue.shift() ?? defaultReply;
      const reply = typeof script === "function" ? script(recorded) : script;
      completionCount += 1;
      const prompt = JSON.stringify(recorded.body?.messages ?? "");
      const cachedTokens = cachedPrefixTokens(prompt, cachedPrompts);
      cachedPrompts.push(prompt);
      if (cachedPrompts.length > CACHED_PROMPTS) cachedPrompts.shift();
      await replyToChat(res, recorded, reply, {
        id: `chatcmpl-fake-${completionCount}`,
        kind: provider?.kind,
        cachedTokens,
      });
    } else if (route === `POST ${MODERATIONS_PATH}`) {
      sendJson(res, 200, moderationResponse(recorded.body?.input, moderate));
    } else if (route === `POST ${EMBEDDINGS_PATH}`) {
      const script = embeddingScript;
      if (script.delayMs !== undefined) await sleep(script.delayMs);
      if (res.destroyed) return; // the client gave up waiting
      if (script.status !== undefined) sendError(res, script.status, `Scripted error ${script.status}`);
      else {
        const answer = embeddingsAnswer(recorded.body);
        sendJson(res, answer.status, answer.body);
      }
    } else if (route === `GET ${MODELS_PATH}`) {
      sendJson(res, 200, {
        object: "list",
        data: [{ id: FAKE_MODEL_ID, object: "model", created: unixSeconds(), owned_by: "masque-tests" }],
      });
    } else {
      sendError(res, 404, `Unknown endpoint: ${route}`);
    }
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      // A bug in the fake itself: fail loudly in the client instead of hanging.
      if (!res.headersSent) sendError(res, 500, `Fake server error: ${String(error)}`);
      else res.destroy();
    });
  });

  await new Promise<void>((resolve) => server.listen(0, HOST, resolve));
  const { port } = server.address() as AddressInfo;

  return {
    baseURL: `http://${HOST}:${port}${API_PREFIX}`,
    requests,
    chatRequests,
    enqueue: (...replies) => {
      queue.push(...replies);
    },
    setDefault: (reply) => {
      defaultReply = reply;
    },
    waitForChatRequests: (n, timeoutMs = DEFAULT_WAIT_TIMEOUT_MS) =>
      new Promise((resolve, reject) => {
        const waiter: ChatWaiter = {
          count: n,
          resolve: () => {
            clearTimeout(timer);
            resolve(chatRequests());
          },
        };
        const timer = setTimeout(() => {
          waiters = waiters.filter((w) => w !== waiter);
          reject(
            new Error(`Timed out after ${timeoutMs} ms waiting for ${n} chat requests (got ${chatRequests().length})`),
          );
        }, timeoutMs);
        waiters.push(waiter);
        notifyWaiters();
      }),
    setProvider: (settings) => {
      provider = settings;
    },
    embeddingRequests: () => requests.filter((r) => r.method === "POST" && r.path === EMBEDDINGS_PATH),
    setEmbeddings: (script) => {
      embeddingScript = script;
    },
    setModeration: (fn) => {
      moderate = fn;
    },
    reset: () => {
      requests.length = 0; // in place: callers may hold the `requests` array
      queue.length = 0;
      defaultReply = DEFAULT_REPLY;
      moderate = NOTHING_FLAGGED;
      embeddingScript = {};
      cachedPrompts.length = 0;
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        // Keep-alive and stalled connections would otherwise hold close() open.
        server.closeAllConnections();
      }),
  };
}

function isChatRequest(req: RecordedRequest): boolean {
  return req.method === "POST" && req.path === CHAT_PATH;
}

async function readRequest(req: IncomingMessage): Promise<RecordedRequest> {
  const parts: Buffer[] = [];
  for await (const part of req) parts.push(part as Buffer);
  // The request has arrived once its body has; parsing it is the fake's own work.
  const receivedAt = performance.now();
  const raw = Buffer.concat(parts).toString("utf8");
  return {
    method: req.method ?? "GET",
    path: new URL(req.url ?? "/", `http://${HOST}`).pathname,
    headers: req.headers,
    body: parseJsonOrRaw(raw),
    receivedAt,
  };
}

/** The prompt tokens a cache serves: the longest prefix shared with a cached prompt, in OpenAI's steps. */
function cachedPrefixTokens(prompt: string, cached: readonly string[]): number {
  let longest = 0;
  for (const earlier of cached) {
    let i = 0;
    while (i < prompt.length && i < earlier.length && prompt.charCodeAt(i) === earlier.charCodeAt(i)) i++;
    longest = Math.max(longest, i);
  }
  const tokens = Math.floor(longest / CHARS_PER_TOKEN);
  return tokens < CACHE_MIN_TOKENS ? 0 : tokens - (tokens % CACHE_STEP_TOKENS);
}

function parseJsonOrRaw(raw: string): unknown {
  if (raw === "") return undefined;
  try {
    return JSON.parse(raw);
  } catch {
    return raw; // recorded as-is so a test can see what was sent
  }
}

/** What one completion is made of, once the provider's rules are applied. */
interface Completion {
  /** Deltas carrying thinking, streamed before the text (empty when the provider hides it or puts it in the text). */
  readonly reasoningDeltas: object[];
  /** The `content` text: the answer, with a `<think>` block in front for llamacpp. */
  readonly content: string;
  /** Fields a whole (non-streamed) message carries besides `content`. */
  readonly messageExtras: object;
  readonly finishReason: string;
  readonly usage: ReturnType<typeof withTotal> & { completion_tokens_details?: { reasoning_tokens: number } };
}

/** Who reports cached tokens as OpenAI does: OpenAI, and the plain server the fake is without a provider. */
const reportsCachedTokens = (kind: ProviderKind | undefined) => kind === undefined || kind === "openai";

function buildCompletion(
  req: RecordedRequest,
  reply: ScriptedReply,
  kind: ProviderKind | undefined,
  cachedTokens: number,
): Completion {
  const answer = reply.chunks?.join("") ?? reply.text ?? DEFAULT_TEXT;
  const reasoning = reply.reasoning;
  const limit = Number(req.body?.max_completion_tokens ?? Number.POSITIVE_INFINITY);
  // An OpenAI reasoning model that spends its whole limit thinking answers nothing.
  const thoughtOut = reply.reasoningTokens !== undefined && limit <= reply.reasoningTokens;
  const content = thoughtOut
    ? ""
    : kind !== undefined && thinksInText(kind) && reasoning !== undefined
      ? thinkInText(reasoning, answer)
      : answer;
  const chunkSize = reply.chunkSize ?? DEFAULT_CHUNK_SIZE;
  const deltaOf = (text: string) => (kind ? reasoningDelta(kind, text) : undefined);
  const reasoningDeltas =
    reasoning === undefined || deltaOf(reasoning) === undefined
      ? []
      : splitText(reasoning, chunkSize).map((piece) => deltaOf(piece)!);
  const { content: _, ...messageExtras } =
    reasoning === undefined ? { content: "" } : ((deltaOf(reasoning) ?? {}) as { content?: unknown });
  const usage = withTotal(
    reply.usage ?? {
      prompt_tokens: estimateTokens(JSON.stringify(req.body?.messages ?? "")),
      completion_tokens: estimateTokens(content + (reasoning ?? "")) + (reply.reasoningTokens ?? 0),
      ...(reportsCachedTokens(kind) && { prompt_tokens_details: { cached_tokens: cachedTokens } }),
    },
  );
  return {
    reasoningDeltas,
    content,
    messageExtras,
    finishReason: thoughtOut ? "length" : (reply.finishReason ?? DEFAULT_FINISH_REASON),
    usage:
      reply.reasoningTokens === undefined
        ? usage
        : { ...usage, completion_tokens_details: { reasoning_tokens: reply.reasoningTokens } },
  };
}

async function replyToChat(
  res: ServerResponse,
  req: RecordedRequest,
  reply: ScriptedReply,
  options: { id: string; kind: ProviderKind | undefined; cachedTokens: number },
) {
  if (reply.delayMs !== undefined) await sleep(reply.delayMs);
  if (reply.holdUntil !== undefined) await reply.holdUntil.catch(() => {});
  if (res.destroyed) return; // client gave up or server closed during the delay

  if (reply.status !== undefined) {
    const headers: Record<string, string> =
      reply.retryAfterSeconds !== undefined ? { "retry-after": String(reply.retryAfterSeconds) } : {};
    sendError(res, reply.status, `Scripted error ${reply.status}`, headers);
    return;
  }

  const { id } = options;
  const model: string = typeof req.body?.model === "string" ? req.body.model : FAKE_MODEL_ID;
  const completion = buildCompletion(req, reply, options.kind, options.cachedTokens);
  if (req.body?.stream !== true) {
    req.usage = completion.usage;
    const message = { role: "assistant", content: completion.content, ...completion.messageExtras };
    sendJson(res, 200, {
      id,
      object: "chat.completion",
      created: unixSeconds(),
      model,
      choices: [{ index: 0, message, finish_reason: completion.finishReason, logprobs: null }],
      usage: completion.usage,
    });
    return;
  }

  const created = unixSeconds();
  const chunkFrame = (delta: object, finish: string | null) =>
    sseFrame({
      id,
      object: "chat.completion.chunk",
      created,
      model,
      choices: [{ index: 0, delta, finish_reason: finish }],
    });

  res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache", connection: "keep-alive" });
  await writeFrame(res, chunkFrame({ role: "assistant", content: "" }, null));
  for (const delta of completion.reasoningDeltas) {
    if (res.destroyed) return;
    if (reply.chunkDelayMs !== undefined) await sleep(reply.chunkDelayMs);
    await writeFrame(res, chunkFrame(delta, null));
  }

  const contentChunks =
    reply.chunks && completion.content === reply.chunks.join("")
      ? reply.chunks
      : splitText(completion.content, reply.chunkSize ?? DEFAULT_CHUNK_SIZE);
  for (let sent = 0; sent <= contentChunks.length; sent++) {
    if (res.destroyed) return;
    if (sent === reply.cutAfterChunks) {
      res.socket?.destroy();
      return;
    }
    if (sent === reply.invalidFrameAfterChunks) {
      res.end(INVALID_FRAME);
      return;
    }
    if (sent === reply.stallAfterChunks) return; // leave the response open; close() or the client ends it
    if (sent === contentChunks.length) break;
    if (sent > 0 && reply.chunkDelayMs !== undefined) await sleep(reply.chunkDelayMs);
    await writeFrame(res, chunkFrame({ content: contentChunks[sent] }, null));
    if (sent === contentChunks.length - 1) req.lastChunkAt = performance.now();
  }
  if (reply.endless || reply.emptyChunksEveryMs !== undefined) {
    await streamForever(res, reply, contentChunks, (content) => chunkFrame({ content }, null));
    return;
  }

  if (res.destroyed) return;
  await writeFrame(res, chunkFrame({}, completion.finishReason));
  if (req.body?.stream_options?.include_usage === true) {
    // The last chunk before [DONE]: no choices, the whole request's usage
    // (platform.openai.com/docs/api-reference/chat/create, stream_options.include_usage).
    req.usage = completion.usage;
    await writeFrame(
      res,
      sseFrame({ id, object: "chat.completion.chunk", created, model, choices: [], usage: completion.usage }),
    );
  }
  res.end(DONE_FRAME);
}

/** The least pause between endless chunks, so an unpaced endless reply cannot starve the event loop. */
const ENDLESS_MIN_DELAY_MS = 1;

/** Keeps a reply going until the client goes away: its text again (endless), or empty deltas (keep-alives). */
async function streamForever(
  res: ServerResponse,
  reply: ScriptedReply,
  chunks: readonly string[],
  frame: (content: string) => string,
) {
  const delayMs = Math.max(
    ENDLESS_MIN_DELAY_MS,
    reply.emptyChunksEveryMs ?? reply.chunkDelayMs ?? ENDLESS_MIN_DELAY_MS,
  );
  for (let i = 0; !res.destroyed && !res.writableEnded; i++) {
    await sleep(delayMs);
    if (res.destroyed) return;
    await writeFrame(res, frame(reply.endless ? (chunks[i % chunks.length] ?? "") : ""));
  }
}

function moderationResponse(input: unknown, moderate: ModerationFn) {
  const inputs = Array.isArray(input) ? input : [input];
  const results = inputs.map((item) => {
    const verdict = moderate(moderationText(item));
    const categories: Record<string, boolean> = Object.fromEntries(MODERATION_CATEGORIES.map((name) => [name, false]));
    Object.assign(categories, verdict.categories);
    const scores = Object.fromEntries(Object.entries(categories).map(([name, hit]) => [name, hit ? 1 : 0]));
    return { flagged: verdict.flagged, categories, category_scores: scores };
  });
  return { id: "modr-fake", model: FAKE_MODERATION_MODEL_ID, results };
}

/** Accepts plain strings and multimodal `{type: "text", text}` parts; anything else moderates as "". */
function moderationText(item: unknown): string {
  if (typeof item === "string") return item;
  if (typeof item === "object" && item !== null && "text" in item && typeof item.text === "string") return item.text;
  return "";
}

/** OpenAI's error `type` and `code` for the statuses the bot cares about. */
function errorKind(status: number): { type: string; code: string | null } {
  if (status === 401) return { type: "invalid_request_error", code: "invalid_api_key" };
  if (status === 404) return { type: "invalid_request_error", code: "not_found" };
  if (status === 429) return { type: "requests", code: "rate_limit_exceeded" };
  if (status >= 500) return { type: "server_error", code: "server_error" };
  return { type: "invalid_request_error", code: null };
}

function sendError(res: ServerResponse, status: number, message: string, headers: Record<string, string> = {}) {
  sendJson(res, status, { error: { message, ...errorKind(status), param: null } }, headers);
}

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
  res.writeHead(status, { "content-type": "application/json", ...headers });
  res.end(JSON.stringify(body));
}

function sseFrame(data: unknown): string {
  return `data: ${JSON.stringify(data)}\n\n`;
}

/** Resolves once the frame is handed to the socket, so a later cut cannot overtake it. */
function writeFrame(res: ServerResponse, frame: string): Promise<void> {
  return new Promise((resolve) => res.write(frame, () => resolve()));
}

function splitText(text: string, size: number): string[] {
  const step = Math.max(1, Math.floor(size)); // a zero or negative size would never advance
  const chunks: string[] = [];
  for (let start = 0; start < text.length; start += step) chunks.push(text.slice(start, start + step));
  return chunks;
}

function estimateTokens(text: string): number {
  return Math.ceil(text.length / CHARS_PER_TOKEN);
}

function withTotal(usage: Usage) {
  return { ...usage, total_tokens: usage.prompt_tokens + usage.completion_tokens };
}

function unixSeconds(): number {
  return Math.floor(Date.now() / 1000);
}
