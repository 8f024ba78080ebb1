// The prompt's messages after the system prompt: the new turns with the quote and the note,
// and the macros as a prompt shows them.
import type { ChatMessage } from "../llm/client.js";
import type { MacroContext } from "../personas/macros.js";
import { neutralInline, neutralName } from "./labels.js";
import { type triggeredLore, withAtDepthLore } from "./lore-section.js";
import { mergeNeighbours, newTurnText, type PendingTurn, type PersonaNames } from "./prompt-parts.js";

/**
 * The new turns as user messages (images as parts): the quote before the newest person's text,
 * the note after it. With no new turns (a scene line), the note goes before the direction.
 */
export function newMessages(
  newTurns: readonly PendingTurn[],
  personas: PersonaNames,
  framing: { quote?: string; note?: string; direction?: string },
): ChatMessage[] {
  const { note, direction } = framing;
  const closing =
    direction === undefined
      ? []
      : [
          {
            role: "user" as const,
            content: newTurns.length === 0 && note !== undefined ? `${note}\n${direction}` : direction,
          },
        ];
  return [...turnMessages(newTurns, personas, framing.quote, note), ...closing];
}

function turnMessages(
  newTurns: readonly PendingTurn[],
  personas: PersonaNames,
  quote: string | undefined,
  note: string | undefined,
): ChatMessage[] {
  const lastIndex = newTurns.findLastIndex((t) => !t.byPersona);
  return newTurns.map((t, i) => {
    const quoted = newTurnText(t, personas, i === lastIndex ? quote : undefined);
    const text = note !== undefined && i === lastIndex ? `${quoted}\n${note}` : quoted;
    if (!t.images?.length) return { role: "user", content: text };
    return {
      role: "user",
      content: [
        { type: "text", text },
        ...t.images.map((image) => ({ type: "image_url" as const, image_url: { url: image.url } })),
      ],
    };
  });
}

/** The macros' values as a prompt shows them: the person's name as every line shows it, the place's names unable to carry a label. */
export function shownMacros(macros: MacroContext, personas: PersonaNames): MacroContext {
  return {
    ...macros,
    user: neutralName(macros.user, personas),
    server: neutralInline(macros.server),
    channel: neutralInline(macros.channel),
  };
}

/**
 * The prompt's messages in order: the system prompt, the window, the new turns, at-depth
 * lore among those (depth messages before the end), the post-history instructions; with
 * neighbours of one role merged.
 */
export function promptMessages(parts: {
  system: string;
  window: readonly ChatMessage[];
  newTurns: readonly ChatMessage[];
  atDepthLore: ReturnType<typeof triggeredLore>;
  postHistory?: string;
}): ChatMessage[] {
  return mergeNeighbours([
    { role: "system", content: parts.system },
    ...withAtDepthLore([...parts.window, ...parts.newTurns], parts.atDepthLore),
    ...(parts.postHistory ? [{ role: "system" as const, content: parts.postHistory }] : []),
  ]);
}
