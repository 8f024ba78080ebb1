import path from "node:path";
import type { Context } from "hono";
import { streamSSE } from "hono/streaming";
import { ChatEngine, type EngineSettings, type ReplySink } from "../chat/engine.js";
import type { ModelClient } from "../llm/client.js";
import { ModelError } from "../llm/errors.js";
import type { Logger } from "../log.js";
import { type Memory, openMemory } from "../memory/index.js";
import { parsePersona } from "../personas/parse.js";
import type { PersonaRegistry } from "../personas/registry.js";
import { STUDIO_REFUSALS } from "../texts/studio.js";
import { refuse, type StudioEnv } from "./guards.js";

/** What Try it needs: the configured model and settings, and the personas' names (a person by one is still a person). */
export interface TryItDeps {
  readonly model: ModelClient;
  readonly personas: () => PersonaRegistry;
  readonly settings: EngineSettings;
  readonly log: Logger;
}

/** Where Try it happens, for the macros. */
const TRY_PLACE = { server: "Studio", channel: "try-it" } as const;

/**
 * The try-out pane's engine: the bot's ChatEngine over a scratch memory (SQLite in memory,
 * gone when the studio stops), never a server's. Each signed-in person and persona file has
 * its own conversation there.
 */
export class TryIt {
  readonly #memory: Memory = openMemory(":memory:");
  readonly #engine: ChatEngine;

  constructor(private readonly deps: TryItDeps) {
    this.#engine = new ChatEngine({
      memory: this.#memory,
      model: deps.model,
      personas: deps.personas,
      settings: deps.settings,
      log: deps.log,
    });
  }

  /** Streams the draft's reply to `message` as server-sent events: `piece` events with text, then one `end` (with the error's plain words, if any). */
  answer(c: Context<StudioEnv>, dir: string, file: string, text: string, message: string, who: string): Response {
    const parsed = parsePersona(path.join(dir, file), file, text);
    if (!parsed.persona) return refuse(c, 400, STUDIO_REFUSALS.cannotInspect.draft);
    if (message.trim() === "") return refuse(c, 400, STUDIO_REFUSALS.emptyMessage);
    const persona = parsed.persona;
    return streamSSE(c, async (stream) => {
      const controller = new AbortController();
      stream.onAbort(() => controller.abort());
      const sink: ReplySink = {
        write: (piece) => void stream.writeSSE({ event: "piece", data: JSON.stringify(piece) }),
        end: async ({ error }) => {
          const problem =
            error === undefined ? undefined : error instanceof ModelError ? error.userMessage : STUDIO_REFUSALS.failed;
          if (error !== undefined && !(error instanceof ModelError))
            this.deps.log.error({ err: error }, "studio try-it reply failed");
          await stream.writeSSE({ event: "end", data: JSON.stringify({ error: problem }) });
          return { shown: true, messageIds: [] };
        },
      };
      const request = {
        conversation: { key: `studio:try:${who}:${file}` },
        persona,
        turns: [{ authorId: `studio:${who}`, authorName: "You", content: message }],
        place: TRY_PLACE,
        signal: controller.signal,
      };
      await this.#engine.reply(request, sink);
    });
  }

  close(): void {
    this.#memory.close();
  }
}
