import { afterEach, describe, expect, it } from "vitest";
import type { ProviderKind } from "../fakes/model-providers.js";
import { mention, turnRows, waitForBotMessages } from "../helpers/e2e.js";
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
      const s = await start({ provider: { kind, apiKey: kind === "ollama" ? undefined : STACK_API_KEY, models: [model] }, env: { DEFAULT_MODEL: model } });
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
    const s = await start({ provider: { kind: "openai", apiKey: STACK_API_KEY, models: ["gpt-5-mini"] }, env: { DEFAULT_MODEL: "gpt-5-mini" } });
    s.model.enqueue({ text: ANSWER, reasoningTokens: 700 });

    mention(s, "hi there");

    expect(await waitForBotMessages(s, s.general, 1)).toEqual([ANSWER]);
    const [request] = s.model.chatRequests();
    expect(s.model.chatRequests()).toHaveLength(1);
    expect(request!.body).not.toHaveProperty("temperature");
    expect(request!.body).not.toHaveProperty("max_tokens");
  });
});
