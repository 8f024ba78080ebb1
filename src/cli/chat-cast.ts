/** The terminal chat's cast: `/cast add|remove <id>`, and a message answered by every persona it names, in turn. */
import { joinRefusal, leaveRefusal } from "../chat/cast.js";
import type { IncomingTurn, Place, ReplySink } from "../chat/engine.js";
import { type CastTurnState, followOn } from "../chat/ensemble.js";
import type { Core } from "../core.js";
import { TERMINAL_CAST_TEXTS as TEXTS } from "./chat-texts.js";

/** Who adds personas to a terminal conversation's cast, as the store records it. */
const TERMINAL_ACTOR = "terminal";

/** `/cast` lists the cast, `/cast add <id>` and `/cast remove <id>` change it; returns the line to print. */
export function castCommand(core: Core, conversationKey: string, args: readonly string[]): string {
  const [action, id] = args;
  const cast = core.engine.cast({ key: conversationKey });
  if (action === undefined)
    return TEXTS.list(
      cast.lead.name,
      cast.members.slice(1).map((p) => p.name),
    );
  if (!id) return TEXTS.usage;
  const persona = core.personas().get(id);
  const name = persona?.name ?? id;
  if (action === "add") {
    const refusal = joinRefusal(cast, persona, core.config.maxCast);
    if (refusal)
      return {
        unknown: TEXTS.noSuchPersona(id),
        lead: TEXTS.isLead(name),
        member: TEXTS.alreadyIn(name),
        full: TEXTS.full(core.config.maxCast),
      }[refusal];
    core.memory.casts.add(conversationKey, null, id, TERMINAL_ACTOR);
    return TEXTS.added(name);
  }
  if (action === "remove") {
    const refusal = leaveRefusal(
      cast,
      id,
      core.memory.casts.members(conversationKey).map((m) => m.personaId),
    );
    if (refusal) return refusal === "lead" ? TEXTS.leadStays(name) : TEXTS.notIn(name);
    core.memory.casts.remove(conversationKey, id);
    return TEXTS.removed(name);
  }
  return TEXTS.usage;
}

/** What one line typed at the terminal is answered with. */
export interface TerminalLine {
  readonly conversationKey: string;
  readonly turn: IncomingTurn;
  readonly place: Place;
  /** Shows one persona's reply; told its name first. */
  readonly sinkFor: (name: string) => ReplySink;
  /** Told each reply's controller, so Ctrl+C stops the reply being written (and the ones after it). */
  readonly onStart: (controller: AbortController) => void;
}

/** Answers a line with each persona it addresses, in the order named (nobody named: the lead), as the bot does in a channel. */
export async function answerInTurn(core: Core, line: TerminalLine): Promise<void> {
  const conversation = { key: line.conversationKey };
  const personas = core.engine.answerers(conversation, { text: line.turn.content, authorId: line.turn.authorId });
  let state: CastTurnState<IncomingTurn> | undefined = { turns: [line.turn], after: [] };
  for (const persona of personas) {
    const controller = new AbortController();
    line.onStart(controller);
    const request = {
      conversation,
      persona,
      turns: state.turns,
      after: state.after,
      place: line.place,
      signal: controller.signal,
    };
    const outcome = await core.engine.reply(request, line.sinkFor(persona.name));
    state = controller.signal.aborted ? undefined : followOn(state, persona, outcome);
    if (!state) return;
  }
}
