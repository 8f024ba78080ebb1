import type { Client, ClientEvents } from "discord.js";

/** How long a fake-Discord test waits for a client event before failing. */
export const EVENT_TIMEOUT_MS = 3_000;

/** The next `event` the client emits that passes `filter`; rejects after a timeout. */
export function nextEvent<K extends keyof ClientEvents>(
  emitter: Client,
  event: K,
  filter: (...args: ClientEvents[K]) => boolean = () => true,
): Promise<ClientEvents[K]> {
  return new Promise((resolve, reject) => {
    const listener = (...args: ClientEvents[K]) => {
      if (!filter(...args)) return;
      clearTimeout(timer);
      emitter.off(event, listener);
      resolve(args);
    };
    const timer = setTimeout(() => {
      emitter.off(event, listener);
      reject(new Error(`no ${String(event)} within ${EVENT_TIMEOUT_MS} ms`));
    }, EVENT_TIMEOUT_MS);
    emitter.on(event, listener);
  });
}
