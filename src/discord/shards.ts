import path from "node:path";
import { fileURLToPath } from "node:url";
import { REST, Routes, type Shard, ShardingManager } from "discord.js";
import type { BotConfig } from "../config.js";
import type { Logger } from "../log.js";
import { ensureLayout } from "../memory/reshard.js";
import { shareOf } from "../traffic/concurrency.js";

/** How long shard processes get to stop cleanly before the manager gives up on them. */
export const SHARD_STOP_TIMEOUT_MS = 15_000;
/** How long one shard may take to become ready. */
export const SHARD_READY_TIMEOUT_MS = 60_000;
/** The bot's entry beside this file: dist/main.js when built, src/main.ts under tsx. */
const OWN_EXTENSION = path.extname(fileURLToPath(import.meta.url));
const MAIN_ENTRY = fileURLToPath(new URL(`../main${OWN_EXTENSION}`, import.meta.url));

/** True inside a shard process started by the manager. */
export function isShardProcess(env: NodeJS.ProcessEnv = process.env): boolean {
  return env.SHARDING_MANAGER === "true";
}

/** This shard's id inside a shard process (discord.js passes it as SHARDS). */
export function shardId(env: NodeJS.ProcessEnv = process.env): number {
  return Number(env.SHARDS ?? 0);
}

/**
 * This shard process's part of a machine-wide limit (LLM_MAX_CONCURRENCY, LLM_QUEUE_LIMIT):
 * the shards this machine runs (SHARD_LIST, else all) share it. A server's messages and all
 * DMs reach one shard only, so per-person rate limits need no sharing.
 */
export function machineShare(
  total: number,
  shardList: readonly number[] | undefined,
  env: NodeJS.ProcessEnv = process.env,
): number {
  if (!isShardProcess(env)) return total;
  return shareOf(total, shardList ?? Array.from({ length: shardCount(env) }, (_, i) => i), shardId(env));
}

/** The shard count of this shard process (discord.js passes it as SHARD_COUNT). */
export function shardCount(env: NodeJS.ProcessEnv = process.env): number {
  return Number(env.SHARD_COUNT ?? 1);
}

/** The shard count Discord recommends, asked of DISCORD_API_URL when set (discord.js's own helper always asks discord.com). */
async function recommendedShardCount(config: BotConfig): Promise<number> {
  const rest = new REST(config.discordApiUrl ? { api: config.discordApiUrl } : {}).setToken(config.discordToken);
  const gateway = (await rest.get(Routes.gatewayBot())) as { shards: number };
  return Math.max(1, gateway.shards);
}

/**
 * Runs the bot under discord.js's ShardingManager: one process per shard (each a full
 * bot with its own database file), restarted if it dies. Resolves when every shard is
 * ready; `stop()` ends them all cleanly.
 */
export async function startShardManager(config: BotConfig, log: Logger): Promise<{ stop(): Promise<void> }> {
  const totalShards =
    config.shards === "auto" || config.shards === undefined ? await recommendedShardCount(config) : config.shards;
  const shardList = config.shardList ? [...config.shardList] : "auto";
  if (Array.isArray(shardList) && shardList.some((id) => id >= totalShards)) {
    throw new Error(
      `SHARD_LIST names shard ${Math.max(...shardList)}, but there are only ${totalShards} shards (0 to ${totalShards - 1}).`,
    );
  }
  const shardsHere = Array.isArray(shardList) ? shardList.length : totalShards;
  // LLM_MAX_CONCURRENCY is the machine's: each shard process gets a part, and each needs at least one slot.
  if (config.llmMaxConcurrency < shardsHere) {
    throw new Error(
      `LLM_MAX_CONCURRENCY=${config.llmMaxConcurrency} is shared by the ${shardsHere} shard processes on this machine, and each needs at least one model slot. Set LLM_MAX_CONCURRENCY to ${shardsHere} or more.`,
    );
  }
  // Each shard keeps its own SQLite file (no file has two writers): the files must be laid out for this count.
  ensureLayout(config.databasePath, totalShards, { reshardAuto: config.reshard === "auto", log });
  const manager = new ShardingManager(MAIN_ENTRY, {
    token: config.discordToken,
    totalShards,
    shardList,
    mode: "process",
    respawn: true,
    // Under tsx (development) the entry is TypeScript, so shard processes load tsx too.
    // Compiled, each shard gets the manager's own node flags (npm start's heap settings).
    execArgv: OWN_EXTENSION === ".ts" ? ["--import", "tsx"] : process.execArgv,
  });
  manager.on("shardCreate", (shard: Shard) => {
    log.info({ shard: shard.id, of: totalShards }, "shard starting");
    shard.on("death", () => log.warn({ shard: shard.id }, "shard process exited; it will be restarted"));
  });
  log.info(
    { shards: totalShards, here: shardList },
    `starting ${Array.isArray(shardList) ? shardList.length : totalShards} of ${totalShards} shard(s)`,
  );
  await manager.spawn({ amount: totalShards, delay: config.shardSpawnDelayMs, timeout: SHARD_READY_TIMEOUT_MS });
  return {
    async stop() {
      manager.respawn = false;
      const exits = [...manager.shards.values()].map(
        (shard) =>
          new Promise<void>((resolve) => {
            const child = shard.process;
            if (!child || child.exitCode !== null) return resolve();
            const timer = setTimeout(() => {
              child.kill("SIGKILL");
              resolve();
            }, SHARD_STOP_TIMEOUT_MS);
            child.once("exit", () => {
              clearTimeout(timer);
              resolve();
            });
            child.kill("SIGTERM");
          }),
      );
      await Promise.all(exits);
    },
  };
}
