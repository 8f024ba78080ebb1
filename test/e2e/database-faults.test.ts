import { chmodSync, chownSync, mkdirSync } from "node:fs";
import path from "node:path";
import Database from "better-sqlite3";
import { afterEach, beforeEach, describe, expect, it, onTestFinished, type TestContext } from "vitest";
import { failureNote } from "../../src/discord/message-writer.js";
import { openDatabase } from "../../src/memory/db.js";
import { startBotProcess } from "../helpers/bot-process.js";
import { logged, mention, turnRows, waitForBotMessages } from "../helpers/e2e.js";
import { type Stack, startStack } from "../helpers/stack.js";
import { createTempDir, removeTempDir } from "../helpers/temp-dir.js";

/** Root ignores file modes; as root the bot runs as `nobody`, over files given to it. */
const NOBODY = 65534;
const RUN_AS = process.getuid?.() === 0 ? { uid: NOBODY, gid: NOBODY } : {};
/** The runtime test's lock wait, instead of BUSY_TIMEOUT_MS. */
const SHORT_BUSY_TIMEOUT_MS = 100;
/** Three bots start at once on CI's two cores, one of them waiting BUSY_TIMEOUT_MS (5 s) for a lock. */
const START_UP_TEST_TIMEOUT_MS = 30_000;

const LOCKED_FIX =
  "Another program holds a lock on it: stop the other Masque or database tool using this file, then start again.";
/** What the user sees after an unexpected error. */
const APOLOGY = failureNote(new Error("unexpected"));
const WRITABLE_FIX = "Check DATABASE_PATH, and that the file and its folder are writable by the user running Masque.";

/** Concurrent tests must register clean-up on their own context, not through the global hook. */
type Cleanup = TestContext["onTestFinished"];

/** A folder the bot's user owns, inside a temp folder it may enter. */
function botFolder(cleanup: Cleanup): string {
  const parent = createTempDir();
  cleanup(() => removeTempDir(parent));
  chmodSync(parent, 0o755);
  const folder = path.join(parent, "data");
  mkdirSync(folder);
  if (RUN_AS.uid !== undefined) chownSync(folder, RUN_AS.uid, RUN_AS.gid);
  return folder;
}

/** A database with the current schema, owned by the bot's user. */
function existingDatabase(folder: string): string {
  const file = path.join(folder, "masque.db");
  openDatabase(file).close();
  if (RUN_AS.uid !== undefined) chownSync(file, RUN_AS.uid, RUN_AS.gid);
  return file;
}

/** Starts the bot on `databasePath`; it must stop before reaching Discord, so no fake servers are needed. */
async function startUp(databasePath: string, cleanup: Cleanup): Promise<{ code: number | null; output: string }> {
  const bot = startBotProcess(
    { DISCORD_TOKEN: "MTIz.fake.token", OPENAI_BASE_URL: "http://127.0.0.1:9/v1", DATABASE_PATH: databasePath },
    RUN_AS,
  );
  cleanup(() => {
    bot.child.kill("SIGKILL");
  });
  const code = await bot.exited;
  return { code, output: bot.output() };
}

describe.concurrent("start-up on a database it cannot use: one plain message, exit code 1", {
  timeout: START_UP_TEST_TIMEOUT_MS,
}, () => {
  it("a database another process holds locked", async ({ onTestFinished: cleanup }) => {
    const file = existingDatabase(botFolder(cleanup));
    const holder = new Database(file);
    cleanup(() => {
      holder.close();
    });
    holder.exec("BEGIN EXCLUSIVE");

    expect(await startUp(file, cleanup)).toEqual({
      code: 1,
      output: `Cannot open the database ${file}: database is locked. ${LOCKED_FIX}\n`,
    });
  });

  it("a read-only folder with no database yet", async ({ onTestFinished: cleanup }) => {
    const folder = botFolder(cleanup);
    chmodSync(folder, 0o555);
    const file = path.join(folder, "masque.db");

    expect(await startUp(file, cleanup)).toEqual({
      code: 1,
      output: `Cannot open the database ${file}: unable to open database file. ${WRITABLE_FIX}\n`,
    });
  });

  it("a read-only database file", async ({ onTestFinished: cleanup }) => {
    const file = existingDatabase(botFolder(cleanup));
    chmodSync(file, 0o444);

    expect(await startUp(file, cleanup)).toEqual({
      code: 1,
      output: `Cannot open the database ${file}: attempt to write a readonly database. ${WRITABLE_FIX}\n`,
    });
  });
});

describe("a database write that fails while the bot runs", () => {
  let stack: Stack;
  beforeEach(async () => {
    stack = await startStack();
  });
  afterEach(async () => {
    await stack.stop();
  });

  it("is logged, the user gets the apology, nothing half-written is kept, and the next message is answered", async () => {
    const holder = new Database(stack.env.DATABASE_PATH!);
    onTestFinished(() => {
      holder.close();
    });
    // Reads go on under WAL; the reply's write waits for the lock, then fails. The bot waits
    // BUSY_TIMEOUT_MS (blocking, in this process); how long is not what this test is about.
    stack.core.memory.db.pragma(`busy_timeout = ${SHORT_BUSY_TIMEOUT_MS}`);
    holder.exec("BEGIN EXCLUSIVE");
    stack.model.enqueue({ text: "Lost to the lock." }, { text: "Unlocked." });
    mention(stack, "first");

    expect(await waitForBotMessages(stack, stack.general, 1)).toEqual([`Lost to the lock.\n\n*(${APOLOGY})*`]);
    expect(logged(stack, "reply failed").map((entry) => entry.err)).toMatchObject([
      { name: "SqliteError", message: "database is locked" },
    ]);

    holder.exec("ROLLBACK");
    mention(stack, "second");
    expect(await waitForBotMessages(stack, stack.general, 2)).toEqual([
      `Lost to the lock.\n\n*(${APOLOGY})*`,
      "Unlocked.",
    ]);
    expect(stack.model.chatRequests()[1]!.body.messages.slice(1)).toEqual([{ role: "user", content: "Ali: second" }]);
    expect(turnRows(stack.core.memory.db).map((row) => [row.role, row.content])).toEqual([
      ["user", "second"],
      ["assistant", "Unlocked."],
    ]);
  });
});
