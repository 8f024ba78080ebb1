import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { openMemory } from "../../src/memory/index.js";
import { layoutFile } from "../../src/memory/layout.js";
import { replied, said } from "../helpers/memory.js";
import { runCli } from "../helpers/run-cli.js";
import { tempDirForTest } from "../helpers/temp-dir.js";

const ALI = "310000000000000001";
const BOB = "310000000000000002";

describe("npm run forget", () => {
  it("forgets a person in every database file of this machine, with the replies to them, leaving the words in no file", async () => {
    const dir = tempDirForTest();
    const databasePath = path.join(dir, "masque.db");
    const files = [0, 1].map((shard) => layoutFile(databasePath, 2, shard));
    for (const [shard, file] of files.entries()) {
      const memory = openMemory(file);
      memory.turns.append({ key: `channel:${shard}`, guildId: `g${shard}` }, [
        said("Ali", `Ali's zanzibarquokka number ${shard}`, { authorId: ALI }),
        replied("quill", "Quill", `A zanzibarquokka, ${shard}!`),
        said("Bob", "Bob stays.", { authorId: BOB }),
      ]);
      memory.close();
    }

    const result = await runCli("src/cli/forget.ts", [ALI], {
      env: {
        DOTENV_CONFIG_PATH: "/nonexistent/.env",
        OPENAI_BASE_URL: "http://127.0.0.1:1/v1",
        DATABASE_PATH: databasePath,
      },
      timeoutMs: 30_000,
    });
    expect(result.stderr).toBe("");
    expect(result.stdout.trim().split("\n")).toEqual(
      files.map((file) => `${file}: deleted 1 message(s) of ${ALI} and 1 reply(ies) to them.`),
    );
    for (const file of files) {
      expect(readFileSync(file).toString("latin1")).not.toContain("zanzibarquokka");
      const memory = openMemory(file);
      expect(memory.db.prepare("SELECT content FROM turns").pluck().all()).toEqual(["Bob stays."]);
      memory.close();
    }

    const refused = await runCli("src/cli/forget.ts", ["alice"], {
      env: { DOTENV_CONFIG_PATH: "/nonexistent/.env", DATABASE_PATH: databasePath },
      timeoutMs: 30_000,
    });
    expect([refused.code, refused.stderr.trim()]).toEqual([
      1,
      "Usage: npm run forget -- <Discord user id>   (Developer Mode → right-click the person → Copy User ID)",
    ]);
  });
});
