import type { Client } from "discord.js";
import type { BotContext } from "./context.js";

/** How long one shard may take to erase a person before it is reported as not reached. */
export const FORGET_SHARD_TIMEOUT_MS = 60_000;

/** What forgetting a person erased from one shard's database file. */
export interface ShardErasure {
  readonly shard: number;
  readonly turns: number;
  readonly replies: number;
  readonly summaries: number;
}

/** One shard's answer: what it erased, or that it could not be reached (not on this machine, or down). */
export type ShardOutcome = ShardErasure | { readonly shard: number; readonly unreachable: true };

/** A shard's client, carrying the hook other shards reach through the manager's broadcastEval. */
interface ForgetHook {
  masqueForget?: (userId: string) => Promise<ShardErasure>;
}

/**
 * Forgets a person in this process's database file: waits for their replies in flight
 * here (so none stores their words again afterwards, as `/memory clear` does), deletes
 * their turns and the bot's replies to them, checkpoints, and has the summaries that drew
 * on them rebuilt.
 */
export async function forgetHere(ctx: BotContext, userId: string): Promise<ShardErasure> {
  await ctx.conversations.settledWhere((pending) => pending.message.author.id === userId);
  const erased = await ctx.core.memory.eraser.forgetPerson(userId);
  for (const key of erased.summariesDropped) ctx.core.summarizer.schedule(key);
  const shard = ctx.client.shard?.ids[0] ?? 0;
  const log = {
    by: userId,
    turns: erased.turns,
    replies: erased.replies,
    notes: erased.notes,
    summaries: erased.summariesDropped.length,
    checkpointed: erased.checkpointed,
  };
  ctx.core.log.info(log, "forgot a person's messages");
  if (!erased.checkpointed)
    ctx.core.log.warn(
      { by: userId },
      "the write-ahead log could not be emptied after forgetting; the words leave the file at the next checkpoint",
    );
  return { shard, turns: erased.turns, replies: erased.replies, summaries: erased.summariesDropped.length };
}

/** Lets the other shard processes of this machine ask this one to forget someone. */
export function answerForgetRequests(ctx: BotContext): void {
  (ctx.client as Client & ForgetHook).masqueForget = (userId) => forgetHere(ctx, userId);
}

function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

/**
 * `/memory forget-me` across every shard: each shard process of this machine forgets the
 * person in its own file (DMs live in shard 0's), reached through discord.js's
 * ShardingManager. A shard on another machine, or whose process is down, is reported as
 * not reached; `npm run forget -- <user id>` covers it where its file lives.
 */
export async function forgetEverywhere(ctx: BotContext, userId: string): Promise<ShardOutcome[]> {
  const shards = ctx.client.shard;
  if (!shards) return [await forgetHere(ctx, userId)];
  const ask = (shard: number) =>
    // Runs inside each shard process, serialized as text: it may use only its arguments.
    shards.broadcastEval(
      (client, context) => (client as unknown as Required<ForgetHook>).masqueForget(context.userId),
      { shard, context: { userId } },
    );
  return Promise.all(
    Array.from({ length: shards.count }, (_, shard) =>
      withTimeout(ask(shard), FORGET_SHARD_TIMEOUT_MS).catch((error: unknown) => {
        ctx.core.log.warn({ shard, err: error }, "could not reach a shard to forget a person");
        return { shard, unreachable: true as const };
      }),
    ),
  );
}
