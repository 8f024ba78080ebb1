import { afterEach, describe, expect, it } from "vitest";
import { logged, mention, waitForBotMessages, E2E_WAIT_MS } from "../helpers/e2e.js";
import { ALICE, type Stack, startStack } from "../helpers/stack.js";

async function get(stack: Stack, path: string): Promise<{ status: number; body: string }> {
  const port = stack.logLines.map((l) => JSON.parse(l)).find((l) => l.msg?.startsWith("metrics on"))?.port;
  const response = await fetch(`http://127.0.0.1:${port}${path}`);
  return { status: response.status, body: await response.text() };
}

/** The value of one Prometheus sample, e.g. metric('masque_replies_total{persona="assistant",status="complete"}'). */
function sample(text: string, series: string): number | undefined {
  const line = text.split("\n").find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe("observability: /healthz and /metrics (METRICS_PORT)", () => {
  let stack: Stack;
  afterEach(async () => {
    await stack.stop();
  });

  it("reports health, and counts messages, replies, tokens, latency, errors and rate limits", async () => {
    stack = await startStack({ env: { METRICS_PORT: "0" } });
    // Port 0 would be any free port; the log line says which one was taken.
    const health = await get(stack, "/healthz");
    expect(health.status).toBe(200);
    expect(JSON.parse(health.body)).toEqual({ status: "ok", discord: "connected", database: "writable" });

    stack.model.enqueue({ text: "Fine, thanks." }, { status: 500 });
    stack.discord.injectError({
      method: "POST",
      route: /^\/channels\/\d+\/messages$/,
      status: 429,
      retryAfterSeconds: 0.05,
    });
    stack.discord.postMessage({ channelId: stack.general, author: ALICE, content: "how are you?", mentionBot: true });
    await stack.discord.waitFor(() => stack.core.memory.turns.count(`channel:${stack.general}`) >= 2, E2E_WAIT_MS);
    await stack.bot.idle();
    stack.discord.postMessage({ channelId: stack.general, author: ALICE, content: "and now?", mentionBot: true });
    await stack.discord.waitFor(() => stack.core.memory.turns.count(`channel:${stack.general}`) >= 3, E2E_WAIT_MS);
    await stack.bot.idle();

    const { status, body } = await get(stack, "/metrics");
    expect(status).toBe(200);
    // Two user messages, plus the bot's own two echoed back.
    expect(sample(body, 'masque_messages_seen_total{where="guild"}')).toBe(4);
    expect(sample(body, 'masque_replies_total{persona="assistant",status="complete"}')).toBe(1);
    expect(sample(body, 'masque_replies_total{persona="assistant",status="failed"}')).toBe(1);
    expect(sample(body, 'masque_errors_total{kind="ModelServerError"}')).toBe(1);
    expect(sample(body, 'masque_tokens_total{persona="assistant",direction="out"}')).toBe(
      stack.core.memory.turns.recent(`channel:${stack.general}`, 3)[1]!.tokenCount,
    );
    expect(sample(body, 'masque_tokens_total{persona="assistant",direction="in"}')).toBeGreaterThan(100);
    expect(sample(body, 'masque_model_latency_seconds_count{persona="assistant"}')).toBe(2);
    expect(sample(body, 'masque_model_time_to_first_token_seconds_count{persona="assistant"}')).toBe(1);
    expect(sample(body, 'masque_discord_rate_limits_total{kind="429"}')).toBe(1);
    expect(sample(body, "masque_queue_depth")).toBe(0);
    expect(body).toContain("masque_process_resident_memory_bytes");
  });

  it("counts the prompt tokens the provider served from its cache, as it reported them, in metrics and in the reply's log line", async () => {
    stack = await startStack({ env: { METRICS_PORT: "0" } });
    // Long replies, so the conversation soon passes the 1,024 tokens a provider's cache needs.
    const story = "The keeper climbed the stairs again, counting each of the hundred and twelve steps aloud. ".repeat(
      16,
    );
    stack.model.setDefault({ text: story.trim() });

    for (const [n, question] of ["tell me about the lighthouse", "and then?", "what happened next?"].entries()) {
      mention(stack, question);
      await waitForBotMessages(stack, stack.general, n + 1);
    }

    const replies = stack.model.chatRequests().filter((r) => r.body.stream === true);
    expect(replies.map((r) => r.body.stream_options)).toEqual([
      { include_usage: true },
      { include_usage: true },
      { include_usage: true },
    ]);
    // What the fake model reported in each stream's usage chunk (see test/fakes/openai-server.ts).
    const reported = replies.map((r) => r.usage?.prompt_tokens_details?.cached_tokens);
    expect(reported[0]).toBe(0);
    expect(reported[2]).toBeGreaterThanOrEqual(1024);
    expect(logged(stack, "reply finished").map((line) => line.cachedTokens)).toEqual(reported);
    const { body } = await get(stack, "/metrics");
    expect(sample(body, 'masque_tokens_total{persona="assistant",direction="cached"}')).toBe(
      reported.reduce((sum = 0, n = 0) => sum + n, 0),
    );
  });

  it("turns /healthz to 503 when the database is not writable or Discord is disconnected", async () => {
    stack = await startStack({ env: { METRICS_PORT: "0" } });
    // Another process holding the write lock (file modes would not stop root, who runs CI).
    const Database = (await import("better-sqlite3")).default;
    const other = new Database(stack.env.DATABASE_PATH!);
    other.exec("BEGIN IMMEDIATE");
    const locked = await get(stack, "/healthz");
    expect(locked.status).toBe(503);
    expect(JSON.parse(locked.body)).toEqual({ status: "unhealthy", discord: "connected", database: "not writable" });
    other.exec("ROLLBACK");
    other.close();
    expect((await get(stack, "/healthz")).status).toBe(200);

    await stack.discord.disconnect({ code: 4000 });
    const gone = await get(stack, "/healthz");
    expect(JSON.parse(gone.body).discord).toBe("disconnected");
  });
});
