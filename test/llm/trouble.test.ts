import { describe, expect, it } from "vitest";
import { ModelAuthError, ModelNotFoundError, ModelServerError } from "../../src/llm/errors.js";
import { ModelTrouble } from "../../src/llm/trouble.js";

const badKey = new ModelAuthError("401", 401);
const unknownModel = new ModelNotFoundError("404", 404);

describe("ModelTrouble", () => {
  it("reports a bad key once per model and tells each conversation once", () => {
    const trouble = new ModelTrouble();

    expect(trouble.report(badKey, "gpt-5", "channel:1", "g1")).toEqual({
      problem: "auth",
      firstForModel: true,
      firstInConversation: true,
      firstInServer: true,
    });
    expect(trouble.report(badKey, "gpt-5", "channel:1", "g1")).toEqual({
      problem: "auth",
      firstForModel: false,
      firstInConversation: false,
      firstInServer: false,
    });
    expect(trouble.report(badKey, "gpt-5", "channel:2", "g1")).toEqual({
      problem: "auth",
      firstForModel: false,
      firstInConversation: true,
      firstInServer: false,
    });
    expect(trouble.report(badKey, "gpt-5", "channel:3", "g2")).toEqual({
      problem: "auth",
      firstForModel: false,
      firstInConversation: true,
      firstInServer: true,
    });
    expect(trouble.report(unknownModel, "gpt-9", "channel:1", "g1")).toEqual({
      problem: "model",
      firstForModel: true,
      firstInConversation: true,
      firstInServer: true,
    });
  });

  it("ignores errors that are not an operator's to fix", () => {
    expect(new ModelTrouble().report(new ModelServerError("503", 503), "gpt-5", "channel:1")).toBeUndefined();
  });

  it("reports and tells afresh once the model has worked in between", () => {
    const trouble = new ModelTrouble();
    trouble.report(badKey, "gpt-5", "channel:1");
    trouble.resolved("gpt-5");

    expect(trouble.report(badKey, "gpt-5", "channel:1")).toEqual({
      problem: "auth",
      firstForModel: true,
      firstInConversation: true,
      firstInServer: true,
    });
  });
});
