import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { ModelStreamError } from "../../src/llm/errors.js";
import { NOTICES, REASONING_TEXTS } from "../../src/texts.js";
import { mention, turnRows, waitForBotMessages } from "../helpers/e2e.js";
import { writePersonaFiles } from "../helpers/personas.js";
import { ALICE, type Stack, type StackOptions, startStack } from "../helpers/stack.js";

/**
 * Issue 26: every word a person says and every word the bot would post, its thinking
 * included, goes through the same content checks, whichever path it takes.
 */

/** OpenAI's moderation endpoint, as the fake plays it: texts with "hurtful" flagged as harassment. */
const flagHurtful = (input: string) => ({ flagged: input.includes("hurtful"), categories: { harassment: input.includes("hurtful") } });

/** Everything the bot sent to Discord, bodies and attached files, as one text. */
function everythingSentToDiscord(stack: Stack): string {
  return stack.discord.calls.map((c) => JSON.stringify(c.body ?? "") + c.files.map((f) => JSON.stringify(f)).join("")).join("\n");
}

describe("a model's thinking passes the same checks as its reply", () => {
  let stack: Stack | undefined;
  let dir: string | undefined;
  afterEach(async () => {
    await stack?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
    stack = undefined;
    dir = undefined;
  });

  /** A stack whose default persona shows its thinking (`how`), on a provider that streams it apart (deepseek's reasoning_content). */
  async function thinkingStack(how: "spoiler" | "file", options: StackOptions = {}): Promise<Stack> {
    dir = mkdtempSync(path.join(tmpdir(), "masque-personas-"));
    writePersonaFiles(dir, { "sage.md": `---\nname: Sage\ndescription: Thinks aloud.\nshow_reasoning: ${how}\n---\nYou are Sage.\n` });
    stack = await startStack({ provider: { kind: "deepseek" }, personasDir: dir, ...options, env: { DEFAULT_PERSONA: "sage", ...options.env } });
    return stack;
  }

  it.each(["spoiler", "file"] as const)("posts no thinking (%s) for a reply the moderation endpoint withheld", async (how) => {
    const s = await thinkingStack(how, { env: { MODERATION: "openai" } });
    s.model.setModeration(flagHurtful);
    s.model.enqueue({ reasoning: "I could be unkind here.", text: "A hurtful answer." });

    mention(s, "be mean");

    expect(await waitForBotMessages(s, s.general, 1)).toEqual([NOTICES.outputWithheld]);
    const sent = everythingSentToDiscord(s);
    expect(sent).not.toContain("unkind");
    expect(sent).not.toContain(REASONING_TEXTS.spoilerHeading);
    expect(s.discord.calls.flatMap((c) => c.files)).toEqual([]);
    expect(turnRows(s.core.memory.db).map((r) => r.content)).toEqual(["be mean"]);
  });

  it("withholds a reply whose thinking holds a blocked word, though its text is clean; clean thinking is posted after review", async () => {
    const s = await thinkingStack("spoiler");
    s.core.memory.serverSettings.addBlockedWord(s.guild.id, "scam*", ALICE.id);
    s.model.enqueue({ reasoning: "This smells like a scammer.", text: "Let me look at that link." }, { reasoning: "Tides follow the moon.", text: "The moon." });

    mention(s, "what is this link?");
    expect(await waitForBotMessages(s, s.general, 1)).toEqual([NOTICES.outputWithheld]);
    expect(everythingSentToDiscord(s)).not.toContain("scammer");
    expect(s.core.memory.audit.latest(s.guild.id, 10).map((e) => [e.action, e.details.source, e.details.reasons])).toEqual([["output.withheld", "filter", ["scam*"]]]);

    mention(s, "what moves the tides?");
    expect(await waitForBotMessages(s, s.general, 3)).toEqual([NOTICES.outputWithheld, "The moon.", "Reasoning:\n||Tides follow the moon.||"]);
    expect(turnRows(s.core.memory.db).map((r) => r.content)).toEqual(["what is this link?", "what moves the tides?", "The moon."]);
  });

  it("sends the thinking to the moderation endpoint with the reply, in one request, when the persona shows it", async () => {
    const s = await thinkingStack("file", { env: { MODERATION: "openai" } });
    s.model.setModeration(flagHurtful);
    s.model.enqueue({ reasoning: "A hurtful thought.", text: "A kind answer." });

    mention(s, "hello");

    expect(await waitForBotMessages(s, s.general, 1)).toEqual([NOTICES.outputWithheld]);
    expect(everythingSentToDiscord(s)).not.toContain("hurtful");
    expect(s.model.requests.filter((r) => r.path === "/v1/moderations").map((r) => r.body.input)).toEqual([["hello"], ["A kind answer.", "A hurtful thought."]]);
  });

  it("posts no thinking for a reply that failed", async () => {
    const s = await thinkingStack("spoiler");
    // The thinking streams, then the connection drops before any text.
    s.model.enqueue({ reasoning: "Half a thought about the sea.", text: "The sea is wide.", cutAfterChunks: 0 });

    mention(s, "tell me of the sea");

    expect(await waitForBotMessages(s, s.general, 1)).toEqual([new ModelStreamError("").userMessage]);
    expect(everythingSentToDiscord(s)).not.toContain("Half a thought");
    expect(turnRows(s.core.memory.db).map((r) => r.content)).toEqual(["tell me of the sea"]);
  });
});
