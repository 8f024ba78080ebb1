import { describe, expect, it } from "vitest";
import { LruMap } from "../../src/traffic/lru.js";

describe("LruMap", () => {
  it("keeps at most maxSize entries, forgetting the least recently written", () => {
    const map = new LruMap<string, number>(2);
    map.set("a", 1);
    map.set("b", 2);
    map.set("a", 3);
    map.set("c", 4);
    expect([map.get("a"), map.get("b"), map.get("c"), map.size]).toEqual([3, undefined, 4, 2]);
  });
});
