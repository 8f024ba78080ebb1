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
          message:
            "must be a whole number of at least 1, or empty; e.g. 90 deletes what was said more than 90 days ago; leave it empty to keep everything",
        },
      ]);
    }
  });
});

describe("EMBEDDING_MODEL, EMBEDDING_BASE_URL, EMBEDDING_API_KEY", () => {
  const problemsOf = (env: Record<string, string>) => {
    try {
      loadCoreConfig({ ...LOCAL, ...env });
      return [];
    } catch (caught) {
      return (caught as ConfigError).problems;
    }
  };

  it("are off when empty, and default to the chat model's server and key", () => {
    const off = loadCoreConfig({ ...LOCAL, EMBEDDING_MODEL: "", EMBEDDING_BASE_URL: "", EMBEDDING_API_KEY: "" });
    expect([off.embeddingModel, off.embeddingBaseUrl, off.embeddingApiKey]).toEqual([undefined, undefined, undefined]);
    expect(loadCoreConfig({ ...LOCAL, EMBEDDING_MODEL: " nomic-embed-text " }).embeddingModel).toBe("nomic-embed-text");
  });

  it("name the variable and the fix for a bad URL or a remote server without a key", () => {
    expect(problemsOf({ EMBEDDING_BASE_URL: "localhost:11434" })).toEqual([
      {
        variable: "EMBEDDING_BASE_URL",
        message: "must be a full URL such as http://localhost:11434/v1 (Ollama), or empty to use OPENAI_BASE_URL",
      },
    ]);
    expect(
      problemsOf({ EMBEDDING_MODEL: "text-embedding-3-small", EMBEDDING_BASE_URL: "https://api.openai.com/v1" }),
    ).toEqual([
      {
        variable: "EMBEDDING_API_KEY",
        message:
          "is required for api.openai.com (EMBEDDING_MODEL is set); set that server's key here or in OPENAI_API_KEY",
      },
    ]);
    expect(
      problemsOf({
        EMBEDDING_MODEL: "text-embedding-3-small",
        EMBEDDING_BASE_URL: "https://api.openai.com/v1",
        EMBEDDING_API_KEY: "sk-1",
      }),
    ).toEqual([]);
  });
});
