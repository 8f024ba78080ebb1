import type { ChatRequest } from "../llm/client.js";
import type { Memory } from "../memory/index.js";
import type { WordForms } from "../memory/recall.js";
import { charName } from "../personas/persona.js";
import type { PersonaRegistry } from "../personas/registry.js";
import { earlierTurnIds, earlierTurns } from "./ensemble.js";
import { type BuiltPrompt, IMAGE_TOKENS, replyReserve } from "./prompt.js";
import { buildPromptFromMemory } from "./recollection.js";
import type { IncomingTurn, ReplyRequest } from "./reply.js";
import { countTurnTokens } from "./tokens.js";

/** A request ready for the model, and the prompt's figures for logs and metrics. */
export interface Prepared {
  readonly chatRequest: ChatRequest;
  readonly userTurns: readonly (IncomingTurn & { readonly tokenCount: number })[];
  readonly prompt: Omit<BuiltPrompt, "messages">;
  /** The context the prompt was built for. */
  readonly contextTokens: number;
}

/** The id of the first of the new messages when memory keeps them already. */
function storedFrom(turns: readonly IncomingTurn[]): number | undefined {
  const ids = turns.flatMap((t) => (t.turnId === undefined ? [] : [t.turnId]));
  return ids.length > 0 ? Math.min(...ids) : undefined;
}

/**
 * The request for the model that answers `request` within `contextTokens`: the prompt built
 * from memory, and the reply's output limit. Throws PromptTooLongError when the new message does not fit.
 */
export function prepareReply(
  deps: {
    readonly memory: Memory;
    readonly personas: () => PersonaRegistry;
    readonly settings: { readonly defaultModel: string; readonly recallWordForms?: WordForms };
  },
  request: ReplyRequest,
  contextTokens: number,
  queryVector?: Float32Array,
): Prepared {
  const { persona } = request;
  const { settings } = deps;
  const model = persona.model ?? settings.defaultModel;
  // Memory keeps each message's text tokens; the prompt also counts the images sent with it.
  const userTurns = request.turns.map((t) => ({ ...t, tokenCount: countTurnTokens(t.authorName, t.content) }));
  const after = request.after ?? [];
  const newTurns = [
    ...userTurns.map((t) => ({ ...t, tokenCount: t.tokenCount + (t.images?.length ?? 0) * IMAGE_TOKENS })),
    ...earlierTurns(after),
  ];
  const { messages, ...prompt } = buildPromptFromMemory(deps.memory, {
    conversation: request.conversation,
    persona,
    macros: {
      char: charName(persona),
      user: request.turns.at(-1)?.authorName ?? "someone",
      ...request.place,
      date: new Date(),
    },
    newTurns,
    quoted: request.quoted,
    direction: request.direction,
    personaNames: deps.personas().names(),
    contextTokens,
    newFromId: storedFrom(request.turns),
    leaveOut: earlierTurnIds(after),
    audience: request.audience,
    queryVector,
    wordForms: settings.recallWordForms,
  });
  // Every reply gets an output limit: the persona's, else the room the prompt left for it.
  const maxTokens = persona.maxTokens ?? replyReserve(persona, contextTokens);
  const chatRequest = {
    model,
    messages,
    temperature: persona.temperature,
    topP: persona.topP,
    maxTokens,
    params: persona.params,
  };
  return { chatRequest, userTurns, prompt, contextTokens };
}
