import { chatCommand } from "./chat.js";
import { masqueCommand } from "./masque/index.js";
import { memoryCommand } from "./memory/index.js";
import { personaCommand } from "./persona/index.js";
import { sceneCommand } from "./scene/index.js";
import type { SlashCommand } from "./types.js";

/** Every slash command, listed explicitly so the type checker sees them all. */
export const commands: readonly SlashCommand[] = [
  personaCommand,
  memoryCommand,
  masqueCommand,
  chatCommand,
  sceneCommand,
];

export const commandsByName: ReadonlyMap<string, SlashCommand> = new Map(commands.map((c) => [c.data.name, c]));
