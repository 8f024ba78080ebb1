import "dotenv/config";
import { ConfigError, loadCoreConfig } from "../config.js";
import { openMemory } from "../memory/index.js";
import { databaseFiles } from "../memory/layout.js";

const USAGE = "Usage: npm run forget -- <Discord user id>   (Developer Mode → right-click the person → Copy User ID)";
const SNOWFLAKE = /^\d{17,20}$/;

class UsageError extends Error {}

/**
 * `npm run forget -- <user id>`: what `/memory forget-me` does, for every database file on
 * this machine (the unsharded file and each shard's): deletes the person's messages and
 * the bot's replies to them, and empties the write-ahead log so the words leave the files.
 * For shards whose files live on another machine, run it there too. Safe while the bot runs.
 */
async function main(): Promise<void> {
  const userId = process.argv[2]?.trim() ?? "";
  if (!SNOWFLAKE.test(userId)) throw new UsageError(USAGE);
  const config = loadCoreConfig();
  const files = databaseFiles(config.databasePath);
  if (files.length === 0) throw new UsageError(`No database found at ${config.databasePath}; nothing to forget.`);
  for (const { file } of files) {
    const memory = openMemory(file);
    try {
      const erased = await memory.eraser.forgetPerson(userId);
      const rebuilt =
        erased.summariesDropped.length > 0
          ? `; ${erased.summariesDropped.length} summary(ies) dropped, rebuilt by the bot`
          : "";
      const trace = erased.checkpointed
        ? ""
        : " (the write-ahead log is busy: the words leave the file at the bot's next checkpoint)";
      console.log(
        `${file}: deleted ${erased.turns} message(s) of ${userId} and ${erased.replies} reply(ies) to them${rebuilt}${trace}.`,
      );
    } finally {
      memory.close();
    }
  }
}

main().catch((error: unknown) => {
  console.error(
    error instanceof ConfigError || error instanceof UsageError
      ? error.message
      : `Forget failed: ${(error as Error).message}`,
  );
  process.exit(1);
});
