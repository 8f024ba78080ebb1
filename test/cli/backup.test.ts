import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import { afterEach, describe, expect, it } from "vitest";
import { openMemory } from "../../src/memory/index.js";
import { layoutFile } from "../../src/memory/layout.js";
import { runCli } from "../helpers/run-cli.js";

describe("npm run backup", () => {
  let dir: string;
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("copies the database and each shard's file with their turns, while they are open", async () => {
    dir = mkdtempSync(path.join(tmpdir(), "masque-backup-"));
    const main = openMemory(path.join(dir, "masque.db"));
    const shard = openMemory(path.join(dir, "masque.shard-1.db"));
    const turn = {
      role: "user" as const,
      authorId: "1",
      authorName: "Ali",
      content: "keep me",
      tokenCount: 5,
      createdAt: 1,
    };
    main.turns.append({ key: "channel:1" }, [turn]);
    shard.turns.append({ key: "channel:2" }, [turn, turn]);

    const out = path.join(dir, "out");
    const result = await runCli("src/cli/backup.ts", [out], {
      env: {
        DOTENV_CONFIG_PATH: "/nonexistent/.env",
        OPENAI_BASE_URL: "http://127.0.0.1:1/v1",
        DATABASE_PATH: path.join(dir, "masque.db"),
      },
    });
    main.close();
    shard.close();
    expect(result.code).toBe(0);
    const copies = readdirSync(out).sort();
    expect(copies).toHaveLength(2);
    const counts = copies.map((name) => {
      const db = new Database(path.join(out, name), { readonly: true });
      const row = db.prepare("SELECT count(*) AS n FROM turns").get() as { n: number };
      db.close();
      return [name.replace(/-\d{4}-.*$/, ""), row.n];
    });
    expect(counts).toEqual([
      ["masque", 1],
      ["masque.shard-1", 2],
    ]);
  });

  it("finds the shard files whatever DATABASE_PATH's name: no extension, or .sqlite", async () => {
    dir = mkdtempSync(path.join(tmpdir(), "masque-backup-"));
    // The bot names shard files after DATABASE_PATH: `memory.sqlite` → `memory.shard-N.sqlite`, `masque` → `masque.shard-N.db`.
    for (const [databasePath, shardFile] of [
      ["memory.sqlite", "memory.shard-1.sqlite"],
      ["masque", "masque.shard-1.db"],
    ] as const) {
      expect(layoutFile(path.join(dir, databasePath), 2, 1)).toBe(path.join(dir, shardFile));
      for (const file of [databasePath, shardFile]) openMemory(path.join(dir, file)).close();
      const out = path.join(dir, `out-${databasePath}`);
      const result = await runCli("src/cli/backup.ts", [out], {
        env: {
          DOTENV_CONFIG_PATH: "/nonexistent/.env",
          OPENAI_BASE_URL: "http://127.0.0.1:1/v1",
          DATABASE_PATH: path.join(dir, databasePath),
        },
      });
      expect(result.code).toBe(0);
      expect(
        readdirSync(out)
          .map((name) => name.replace(/-\d{4}-.*$/, ""))
          .sort(),
      ).toEqual([databasePath, shardFile.replace(/\.db$/, "")].sort());
    }
  });

  it("says so when there is no database", async () => {
    dir = mkdtempSync(path.join(tmpdir(), "masque-backup-"));
    const result = await runCli("src/cli/backup.ts", [path.join(dir, "out")], {
      env: {
        DOTENV_CONFIG_PATH: "/nonexistent/.env",
        OPENAI_BASE_URL: "http://127.0.0.1:1/v1",
        DATABASE_PATH: path.join(dir, "none.db"),
      },
    });
    expect(result.code).toBe(1);
    expect(result.stderr.trim()).toBe(
      `Backup failed: No database found at ${path.join(dir, "none.db")}; nothing to back up.`,
    );
  });
});
