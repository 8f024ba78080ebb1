import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { ModelAuthError, ModelNotFoundError } from "../../src/llm/errors.js";
import { MODEL_FIXES, REPLY_NOTES } from "../../src/texts.js";
import type { ProviderKind } from "../fakes/model-providers.js";
import { botMessages, E2E_WAIT_MS, logged, mention, turnRows, waitForBotMessages } from "../helpers/e2e.js";
import { writePersonaFiles } from "../helpers/personas.js";
import { STACK_API_KEY, type Stack, type StackOptions, startStack } from "../helpers/stack.js";

/** A thought no Discord message, stored turn or later prompt may contain. */
const THOUGHT = "PRIVATE-THOUGHT: the user greets me, so I greet them back";
const ANSWER = "Hello, Ali! Good to see you.";

/** Every text the bot sent Discord in a call body (messages, edits, webhooks), to search for leaks. */
function everythingSentToDiscord(stack: Stack): string {
  return JSON.stringify(stack.discord.calls.map((call) => call.body ?? null));
}

describe("Masque against the providers people run", () => {
  let stack: Stack | undefined;
  const start = async (options: StackOptions) => {
    stack = await startStack(options);
    return stack;
  };
  afterEach(async () => {
    await stack?.stop();
    stack = undefined;
  });

  const kinds: Array<[ProviderKind, string]> = [
    ["deepseek", "deepseek-reasoner"],
    ["ollama", "qwen3:8b"],
    ["openrouter", "deepseek/deepseek-r1"],
    ["llamacpp", "qwen3-32b-q4"],
  ];
  for (const [kind, model] of kinds) {
    it(`${kind}: answers without showing, storing or resending the model's thinking`, async () => {
      const s = await start({
        provider: { kind, apiKey: kind === "ollama" ? undefined : STACK_API_KEY, models: [model] },
        env: { DEFAULT_MODEL: model },
      });
      // Chunks of 5 cut the <think> tags of llama.cpp's text apart.
      s.model.enqueue({ reasoning: THOUGHT, text: ANSWER, chunkSize: 5 }, { reasoning: THOUGHT, text: "Still here." });

      mention(s, "hi there");
      expect(await waitForBotMessages(s, s.general, 1)).toEqual([ANSWER]);
      mention(s, "and again");
      expect(await waitForBotMessages(s, s.general, 2)).toEqual([ANSWER, "Still here."]);

      expect(everythingSentToDiscord(s)).not.toMatch(/PRIVATE-THOUGHT|<think>|<\/think>/);
      expect(turnRows(s.core.memory.db).map((row) => [row.role, row.content, row.status])).toEqual([
        ["user", "hi there", "complete"],
        ["assistant", ANSWER, "complete"],
        ["user", "and again", "complete"],
        ["assistant", "Still here.", "complete"],
      ]);
      expect(JSON.stringify(s.model.chatRequests()[1]!.body.messages)).not.toContain("PRIVATE-THOUGHT");
    });
  }

  it("openai gpt-5-mini: every reply is answered, with no 400 on the way, though the persona sets a temperature", async () => {
    const s = await start({
      provider: { kind: "openai", apiKey: STACK_API_KEY, models: ["gpt-5-mini"] },
      env: { DEFAULT_MODEL: "gpt-5-mini" },
    });
    s.model.enqueue({ text: ANSWER, reasoningTokens: 700 });

    mention(s, "hi there");

    expect(await waitForBotMessages(s, s.general, 1)).toEqual([ANSWER]);
    const [request] = s.model.chatRequests();
    expect(s.model.chatRequests()).toHaveLength(1);
    expect(request!.body).not.toHaveProperty("temperature");
    expect(request!.body).not.toHaveProperty("max_tokens");
  });

  it("vllm 0.4: refuses stream_options; the first reply is asked again without it, and so is every later one, quietly", async () => {
    const s = await start({
      provider: { kind: "vllm", models: ["qwen2-7b-instruct"] },
      env: { DEFAULT_MODEL: "qwen2-7b-instruct" },
    });
    s.model.enqueue({ text: ANSWER }, { text: "Still here." });

    mention(s, "hi there");
    expect(await waitForBotMessages(s, s.general, 1)).toEqual([ANSWER]);
    mention(s, "and again");
    expect(await waitForBotMessages(s, s.general, 2)).toEqual([ANSWER, "Still here."]);

    // Asked with usage once, refused (400), asked again without; the second message, without at once.
    expect(s.model.chatRequests().map((r) => r.body.stream_options)).toEqual([
      { include_usage: true },
      undefined,
      undefined,
    ]);
    const told = s.logLines
      .filter((line) => line.includes("stream_options"))
      .map((line) => JSON.parse(line) as { level: number; model: string });
    expect(told).toEqual([expect.objectContaining({ level: 30, model: "qwen2-7b-instruct" })]);
    expect(turnRows(s.core.memory.db).map((row) => row.status)).toEqual([
      "complete",
      "complete",
      "complete",
      "complete",
    ]);
  });

  it("ends an endless reply at MAX_REPLY_MESSAGES messages, marks it cut and stores it as interrupted", async () => {
    const s = await start({ env: { MAX_REPLY_MESSAGES: "2", MODEL_REPLY_DEADLINE_MS: "20000" } });
    s.model.enqueue(
      { text: "All work and no play makes a long reply. ", endless: true, chunkDelayMs: 1 },
      { text: "Next." },
    );

    mention(s, "write me 100,000 words");
    await s.discord.waitFor(
      () => botMessages(s, s.general).some((m) => m.endsWith(`*(${REPLY_NOTES.cut.messages})*`)),
      E2E_WAIT_MS,
    );
    await s.bot.idle();

    const messages = botMessages(s, s.general);
    expect(messages).toHaveLength(2);
    const rows = turnRows(s.core.memory.db);
    expect(rows.map((r) => [r.role, r.status])).toEqual([
      ["user", "complete"],
      ["assistant", "interrupted"],
    ]);
    expect(rows[1]!.content.startsWith("All work and no play")).toBe(true);
    // The model's request ended with the reply: the next message is answered at once.
    mention(s, "ok, stop");
    expect((await waitForBotMessages(s, s.general, 3)).at(-1)).toBe("Next.");
  });

  it("ends a reply that keeps streaming at MODEL_REPLY_DEADLINE_MS", async () => {
    const deadlineMs = 1500;
    const s = await start({ env: { MODEL_REPLY_DEADLINE_MS: String(deadlineMs) } });
    s.model.enqueue({ text: "Slowly, ", endless: true, chunkDelayMs: 100 });
    const started = Date.now();

    mention(s, "go on forever");
    await s.discord.waitFor(
      () => botMessages(s, s.general).some((m) => m.endsWith(`*(${REPLY_NOTES.cut.deadline})*`)),
      E2E_WAIT_MS,
    );
    await s.bot.idle();

    expect(Date.now() - started).toBeLessThan(deadlineMs + E2E_WAIT_MS);
    expect(botMessages(s, s.general)).toHaveLength(1);
    expect(turnRows(s.core.memory.db).map((r) => [r.role, r.status])).toEqual([
      ["user", "complete"],
      ["assistant", "interrupted"],
    ]);
  });

  it("marks a reply the model cut at its output limit, and always sends a limit", async () => {
    const s = await start({});
    s.model.enqueue({ text: "The first chapter begins", finishReason: "length" });

    mention(s, "tell me a saga");

    expect(await waitForBotMessages(s, s.general, 1)).toEqual([
      `The first chapter begins\n\n*(${REPLY_NOTES.cut.length})*`,
    ]);
    expect(s.model.chatRequests()[0]!.body.max_tokens).toBeGreaterThan(0);
    expect(turnRows(s.core.memory.db).map((r) => r.status)).toEqual(["complete", "interrupted"]);
  });

  it("a bad key: one notice per conversation, logged once with the fix, posted to the audit log channel", async () => {
    const s = await start({ provider: { kind: "openai", apiKey: "sk-the-right-key" } });
    const logChannel = s.guild.channelId("random");
    s.core.memory.serverSettings.guild.update(s.guild.id, { logChannelId: logChannel }, "test");

    mention(s, "hello?");
    expect(await waitForBotMessages(s, s.general, 1)).toEqual([new ModelAuthError("").userMessage]);
    mention(s, "hello??");
    await s.discord.waitFor(() => s.model.chatRequests().length === 2, E2E_WAIT_MS);
    await s.bot.idle();
    mention(s, "anyone?", { channelId: s.guild.channelId("ideas") });
    await waitForBotMessages(s, s.guild.channelId("ideas"), 1);

    expect(botMessages(s, s.general)).toHaveLength(1);
    expect(botMessages(s, s.guild.channelId("ideas"))).toEqual([new ModelAuthError("").userMessage]);
    expect(logged(s, MODEL_FIXES.auth)).toHaveLength(1);
    await s.discord.waitFor(() => botMessages(s, logChannel).length > 0, E2E_WAIT_MS);
    expect(botMessages(s, logChannel)).toHaveLength(1);
    expect(botMessages(s, logChannel)[0]).toContain("could not use its model");
    expect(everythingSentToDiscord(s)).not.toContain(STACK_API_KEY.slice(3, 12));
  });

  it("an unknown model: the people get one short notice and the log names the model and the fix", async () => {
    const s = await start({ provider: { kind: "ollama", models: ["qwen3:8b"] }, env: { DEFAULT_MODEL: "qwen3:8x" } });

    mention(s, "hello?");
    expect(await waitForBotMessages(s, s.general, 1)).toEqual([new ModelNotFoundError("").userMessage]);
    expect(logged(s, MODEL_FIXES.model("qwen3:8x"))).toHaveLength(1);
  });

  it("a context-length refusal shrinks that model's budget and the reply is retried once", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "masque-personas-"));
    writePersonaFiles(dir, { "brief.md": "---\nname: Brief\ndescription: Short.\n---\nYou are Brief.\n" });
    try {
      // llama-server started with -c 1000 while CONTEXT_TOKENS says 8000: the prompt plus the
      // 1000 tokens asked for the reply do not fit.
      const s = await start({
        provider: { kind: "llamacpp", contextTokens: 1000 },
        personasDir: dir,
        env: { DEFAULT_PERSONA: "brief", CONTEXT_TOKENS: "8000" },
      });
      s.model.enqueue({ text: "Short answer." }, { text: "Still short." });

      mention(s, "hello?");
      expect(await waitForBotMessages(s, s.general, 1)).toEqual(["Short answer."]);
      mention(s, "again?");
      expect(await waitForBotMessages(s, s.general, 2)).toEqual(["Short answer.", "Still short."]);

      // Refused once, retried once with a smaller reply limit; the next reply is built small at once.
      expect(s.model.chatRequests().map((r) => r.body.max_tokens)).toEqual([1000, 400, 400]);
      expect(logged(s, "reply failed")).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("shows typing while the model thinks, and its thinking as a spoiler when the persona asks", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "masque-personas-"));
    writePersonaFiles(dir, {
      "sage.md": "---\nname: Sage\ndescription: Thinks aloud.\nshow_reasoning: spoiler\n---\nYou are Sage.\n",
    });
    try {
      const s = await start({ provider: { kind: "deepseek" }, personasDir: dir, env: { DEFAULT_PERSONA: "sage" } });
      s.model.enqueue({ reasoning: "Two and two make four.", chunkSize: 4, chunkDelayMs: 150, text: "Four." });

      mention(s, "2+2?");

      expect(await waitForBotMessages(s, s.general, 2)).toEqual(["Four.", "Reasoning:\n||Two and two make four.||"]);
      const calls = s.discord.calls
        .filter((c) => c.path.startsWith(`/channels/${s.general}/`))
        .map((c) => `${c.method} ${c.path.split("/").at(-1)}`);
      expect(calls.indexOf("POST typing")).toBeGreaterThan(-1);
      expect(calls.indexOf("POST typing")).toBeLessThan(calls.indexOf("POST messages"));
      expect(turnRows(s.core.memory.db).map((r) => r.content)).toEqual(["2+2?", "Four."]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
