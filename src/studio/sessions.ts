import { createHash, randomBytes } from "node:crypto";
import type { Db } from "../memory/db.js";

/** A sign-in link works once, within this time. */
export const LOGIN_LINK_TTL_MS = 5 * 60_000;
/** A session nobody used for this long ends. */
export const SESSION_IDLE_MS = 12 * 60 * 60_000;
/** A session ends this long after sign-in, however busy. */
export const SESSION_MAX_AGE_MS = 7 * 24 * 60 * 60_000;
/** Random bytes in a link token, a session id and a request token. */
const SECRET_BYTES = 32;

/** The owner of `npm run studio`'s links: whoever started it on this machine. */
export const LOCAL_OWNER = "local";

/** A signed-in session: who it is and the token its non-GET requests carry. */
export interface StudioSession {
  readonly owner: string;
  readonly csrfToken: string;
}

const hash = (secret: string) => createHash("sha256").update(secret).digest("hex");
const secret = () => randomBytes(SECRET_BYTES).toString("base64url");

/** Sign-in links and sessions, stored as hashes (migration 011). */
export class StudioSessionStore {
  readonly #insertLogin;
  readonly #useLogin;
  readonly #insertSession;
  readonly #findSession;
  readonly #touchSession;
  readonly #endSession;
  readonly #endOwner;

  constructor(
    db: Db,
    private readonly now: () => number = Date.now,
  ) {
    this.#insertLogin = db.prepare(
      "INSERT INTO studio_logins (token_hash, owner, created_at, expires_at) VALUES (@hash, @owner, @now, @expires)",
    );
    this.#useLogin = db.prepare<{ hash: string; now: number }, { owner: string }>(
      "UPDATE studio_logins SET used_at = @now WHERE token_hash = @hash AND used_at IS NULL AND expires_at > @now RETURNING owner",
    );
    this.#insertSession = db.prepare(
      "INSERT INTO studio_sessions (id_hash, owner, csrf_token, created_at, last_seen_at) VALUES (@hash, @owner, @csrf, @now, @now)",
    );
    this.#findSession = db.prepare<
      { hash: string; idleSince: number; bornSince: number },
      { owner: string; csrf_token: string }
    >(
      "SELECT owner, csrf_token FROM studio_sessions WHERE id_hash = @hash AND last_seen_at > @idleSince AND created_at > @bornSince",
    );
    this.#touchSession = db.prepare("UPDATE studio_sessions SET last_seen_at = @now WHERE id_hash = @hash");
    this.#endSession = db.prepare("DELETE FROM studio_sessions WHERE id_hash = @hash");
    this.#endOwner = db.prepare("DELETE FROM studio_sessions WHERE owner = @owner");
  }

  /** A new single-use sign-in token for `owner`, valid LOGIN_LINK_TTL_MS. */
  createLoginToken(owner: string): string {
    const token = secret();
    const now = this.now();
    this.#insertLogin.run({ hash: hash(token), owner, now, expires: now + LOGIN_LINK_TTL_MS });
    return token;
  }

  /** Spends a sign-in token on a new session: its id (for the cookie) and request token; undefined when the token is unknown, used or expired. */
  exchange(token: string): { id: string; session: StudioSession } | undefined {
    const now = this.now();
    const login = this.#useLogin.get({ hash: hash(token), now });
    if (!login) return undefined;
    const id = secret();
    const csrfToken = secret();
    this.#insertSession.run({ hash: hash(id), owner: login.owner, csrf: csrfToken, now });
    return { id, session: { owner: login.owner, csrfToken } };
  }

  /** The live session with this id (its idle clock restarted), or undefined. */
  find(id: string): StudioSession | undefined {
    const now = this.now();
    const row = this.#findSession.get({
      hash: hash(id),
      idleSince: now - SESSION_IDLE_MS,
      bornSince: now - SESSION_MAX_AGE_MS,
    });
    if (!row) return undefined;
    this.#touchSession.run({ hash: hash(id), now });
    return { owner: row.owner, csrfToken: row.csrf_token };
  }

  /** Ends one session (sign out). */
  end(id: string): void {
    this.#endSession.run({ hash: hash(id) });
  }

  /** Ends every session of one person; how many there were. */
  endAll(owner: string): number {
    return this.#endOwner.run({ owner }).changes;
  }
}
