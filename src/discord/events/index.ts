import { Events } from "discord.js";
import type { BotContext } from "../context.js";
import { answerForgetRequests } from "../forget.js";
import { countRateLimits, logGatewayEvents } from "./gateway.js";
import { onInteractionCreate } from "./interactionCreate.js";
import { onMessageCreate } from "./messageCreate.js";
import { onPersonasChanged } from "./personasChanged.js";

/** Every listener the bot has, registered here: gateway events, REST rate limits, persona reloads, other shards' forget requests. */
export function listen(ctx: BotContext): void {
  const { client, core } = ctx;
  // A thrown or rejected handler is logged; it never takes the process down.
  const guard =
    <A extends unknown[]>(name: string, handler: (...args: A) => Promise<void>) =>
    (...args: A) => {
      handler(...args).catch((error: unknown) => {
        core.metrics.error("handler");
        core.log.error({ err: error, event: name }, "event handler failed");
      });
    };
  client.on(
    Events.MessageCreate,
    guard(Events.MessageCreate, (message) => onMessageCreate(message, ctx)),
  );
  client.on(
    Events.InteractionCreate,
    guard(Events.InteractionCreate, (interaction) => onInteractionCreate(interaction, ctx)),
  );
  logGatewayEvents(client, core.log);
  countRateLimits(client, core.metrics, core.log);
  core.library.onChange(({ removed }) => onPersonasChanged(removed, ctx));
  // Other shard processes of this machine ask this one to forget someone (see discord/forget.ts).
  answerForgetRequests(ctx);
}
