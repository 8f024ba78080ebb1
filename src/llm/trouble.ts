import { type ModelError, ModelAuthError, ModelNotFoundError } from "./errors.js";

/** A problem only an operator can fix: the provider refuses the key, or does not know the model. */
export type ConfigProblem = "auth" | "model";

/** Conversations remembered as told about a problem; beyond this the oldest are forgotten (and may be told again). */
const MAX_TOLD_CONVERSATIONS = 10_000;

/** What to do about one failed reply. */
export interface TroubleReport {
  readonly problem: ConfigProblem;
  /** The first failure of this kind for this model since it last worked: log it with the fix, tell the admins. */
  readonly firstForModel: boolean;
  /** The first in this conversation: tell the people there, once. */
  readonly firstInConversation: boolean;
  /** The first in this server (or DMs): tell its admins (the audit log channel), once. */
  readonly firstInServer: boolean;
}

/** Which operator problem an error is, if any. */
export function configProblemOf(error: unknown): ConfigProblem | undefined {
  if (error instanceof ModelAuthError) return "auth";
  if (error instanceof ModelNotFoundError) return "model";
  return undefined;
}

/**
 * Keeps a bad key or an unknown model from flooding the log, the audit channel and the
 * people talking to the bot: each is reported once per model and told once per
 * conversation, until a reply from that model works again.
 */
export class ModelTrouble {
  /** Per model, since it last worked: the problems reported, and the conversations and servers told (oldest first). */
  readonly #byModel = new Map<string, { readonly reported: Set<ConfigProblem>; readonly told: Set<string> }>();

  /** Records a failed reply; undefined when the error is not an operator's problem. */
  report(
    error: ModelError | Error | undefined,
    model: string,
    conversationKey: string,
    serverId?: string | null,
  ): TroubleReport | undefined {
    const problem = configProblemOf(error);
    if (!problem) return undefined;
    const seen = this.#byModel.get(model) ?? { reported: new Set<ConfigProblem>(), told: new Set<string>() };
    this.#byModel.set(model, seen);
    const toldKey = `${problem} ${conversationKey}`;
    const serverKey = `${problem} server:${serverId ?? "dm"}`;
    const report = {
      problem,
      firstForModel: !seen.reported.has(problem),
      firstInConversation: !seen.told.has(toldKey),
      firstInServer: !seen.told.has(serverKey),
    };
    seen.reported.add(problem);
    seen.told.add(toldKey);
    seen.told.add(serverKey);
    if (seen.told.size > MAX_TOLD_CONVERSATIONS) seen.told.delete(seen.told.values().next().value as string);
    return report;
  }

  /** A reply from `model` worked: if a problem comes back, it is reported and told afresh. */
  resolved(model: string): void {
    this.#byModel.delete(model);
  }
}
