import { describe, expect, it } from "vitest";
import { fitInOrder } from "../../src/chat/tokens.js";

describe("fitInOrder", () => {
  const items = [{ tokenCount: 5 }, { tokenCount: 3 }, { tokenCount: 4 }, { tokenCount: 1 }];

  it("takes items in order while they fit, and stops at the first that does not", () => {
    expect(fitInOrder(items, 12)).toEqual({ count: 3, tokens: 12 });
    expect(fitInOrder(items, 11)).toEqual({ count: 2, tokens: 8 });
  });

  it("fits nothing when the first item is too big, and everything when the budget allows", () => {
    expect(fitInOrder(items, 4)).toEqual({ count: 0, tokens: 0 });
    expect(fitInOrder(items, 100)).toEqual({ count: 4, tokens: 13 });
    expect(fitInOrder([], 10)).toEqual({ count: 0, tokens: 0 });
  });
});
