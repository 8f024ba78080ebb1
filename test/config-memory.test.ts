import { describe, expect, it } from "vitest";
import { ConfigError, loadCoreConfig } from "../src/config.js";

const LOCAL = { OPENAI_BASE_URL: "http://localhost:11434/v1" };

describe("MEMORY_RETENTION_DAYS", () => {
  it("is off when unset or empty", () => {
    expect(loadCoreConfig(LOCAL).memoryRetentionDays).toBeUndefined();
    expect(loadCoreConfig({ ...LOCAL, MEMORY_RETENTION_DAYS: " " }).memoryRetentionDays).toBeUndefined();
  });

  it("takes a whole number of days", () => {
    expect(loadCoreConfig({ ...LOCAL, MEMORY_RETENTION_DAYS: "90" }).memoryRetentionDays).toBe(90);
  });

  it("names the variable and the fix for anything else", () => {
    for (const value of ["0", "-3", "ninety", "1.5"]) {
      const error = (() => {
        try {
          loadCoreConfig({ ...LOCAL, MEMORY_RETENTION_DAYS: value });
        } catch (caught) {
          return caught;
        }
      })();
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).problems).toEqual([
        {
          variable: "MEMORY_RETENTION_DAYS",
          message: "must be a whole number of at least 1, or empty; e.g. 90 deletes what was said more than 90 days ago; leave it empty to keep everything",
        },
      ]);
    }
  });
});
