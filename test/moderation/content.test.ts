import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { ModelClient } from "../../src/llm/client.js";
import { ContentChecker, ContentFlaggedError, ModerationUnavailableError } from "../../src/moderation/content.js";
import { type FakeModelServer, startFakeModelServer } from "../fakes/openai-server.js";

let model: FakeModelServer;
let checker: ContentChecker;

beforeAll(async () => {
  model = await startFakeModelServer();
  checker = new ContentChecker(
    new ModelClient({ baseURL: model.baseURL, apiKey: "test", timeoutMs: 3000, maxRetries: 0 }),
    "omni-moderation-latest",
  );
});
afterEach(() => model.reset());
afterAll(() => model.close());

const moderationBodies = () => model.requests.filter((r) => r.path === "/v1/moderations").map((r) => r.body);

describe("ContentChecker", () => {
  it("uses only the blocked words when the provider is off", async () => {
    const rules = { blockedWords: ["free nitro"], provider: "off" as const };
    expect(await checker.check(["hello", "FREE nitro!"], rules)).toEqual([
      undefined,
      { source: "filter", reasons: ["free nitro"] },
    ]);
    expect(moderationBodies()).toEqual([]);
    expect(checker.needsReview(rules)).toBe(true);
    expect(checker.needsReview({ blockedWords: [], provider: "off" })).toBe(false);
  });

  it("sends only what the blocked words let through to the provider, in one call, and maps the answers back", async () => {
    model.setModeration((input) => ({ flagged: input === "mean", categories: { harassment: input === "mean" } }));
    const flags = await checker.check(["fine", "free nitro", "mean"], {
      blockedWords: ["free nitro"],
      provider: "openai",
    });
    expect(flags).toEqual([
      undefined,
      { source: "filter", reasons: ["free nitro"] },
      { source: "openai", reasons: ["harassment"] },
    ]);
    expect(moderationBodies()).toEqual([{ model: "omni-moderation-latest", input: ["fine", "mean"] }]);
  });

  it("throws ContentFlaggedError from review, and ModerationUnavailableError when the endpoint fails", async () => {
    const rules = { blockedWords: [], provider: "openai" as const };
    model.setModeration(() => ({ flagged: true, categories: { violence: true } }));
    const flagged = await checker.review(["anything"], rules).catch((error: unknown) => error);
    expect(flagged).toBeInstanceOf(ContentFlaggedError);
    expect((flagged as ContentFlaggedError).flag).toEqual({ source: "openai", reasons: ["violence"] });
    model.setModeration(() => {
      throw new Error("down");
    });
    await expect(checker.review(["anything"], rules)).rejects.toBeInstanceOf(ModerationUnavailableError);
  });
});
