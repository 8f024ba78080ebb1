import { REASONING_TEXTS } from "../texts.js";
import type { ShowReasoning } from "../personas/model-options.js";
import { DISCORD_MESSAGE_LIMIT } from "./split.js";

/** The two ways of posting a reply's sink offers that showing reasoning needs. */
interface ReasoningPoster {
  post(content: string, isFirst: boolean): Promise<unknown>;
  postFile(content: string, file: { readonly name: string; readonly text: string }): Promise<unknown>;
}

/** Discord ends a spoiler at the next `||`; one inside the reasoning is broken up with a zero-width space. */
const SPOILER_MARK = "||";
const BROKEN_SPOILER_MARK = "|\u200b|";
const ELLIPSIS = "…";

/** The reasoning as one spoiler message, shortened to fit Discord's limit. */
export function reasoningSpoiler(reasoning: string): string {
  const frame = (text: string) => `${REASONING_TEXTS.spoilerHeading}\n${SPOILER_MARK}${text}${SPOILER_MARK}`;
  const text = reasoning.trim().replaceAll(SPOILER_MARK, BROKEN_SPOILER_MARK);
  const room = DISCORD_MESSAGE_LIMIT - frame("").length;
  return frame(text.length <= room ? text : `${text.slice(0, room - ELLIPSIS.length)}${ELLIPSIS}`);
}

/** Posts the model's thinking after its reply, as a spoiler or as an attached text file; never stored. */
export async function postReasoning(
  sink: ReasoningPoster,
  reasoning: string,
  how: Exclude<ShowReasoning, "off">,
): Promise<void> {
  if (how === "spoiler") await sink.post(reasoningSpoiler(reasoning), false);
  else await sink.postFile(REASONING_TEXTS.fileNote, { name: REASONING_TEXTS.fileName, text: reasoning.trim() });
}
