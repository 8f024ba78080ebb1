import { describe, expect, it } from "vitest";
import { openDatabase } from "../../src/memory/db.js";
import {
  LOGIN_LINK_TTL_MS,
  SESSION_IDLE_MS,
  SESSION_MAX_AGE_MS,
  StudioSessionStore,
} from "../../src/studio/sessions.js";

function store() {
  let now = 1_000_000;
  const db = openDatabase(":memory:");
  return { sessions: new StudioSessionStore(db, () => now), advance: (ms: number) => (now += ms), db };
}

describe("StudioSessionStore", () => {
  it("spends a sign-in token once, on a session bound to its owner", () => {
    const { sessions } = store();
    const token = sessions.createLoginToken("310000000000000001");
    const first = sessions.exchange(token);
    expect(first?.session.owner).toBe("310000000000000001");
    expect(sessions.find(first!.id)).toEqual(first!.session);
    expect(sessions.exchange(token)).toBeUndefined();
  });

  it("refuses a token past its five minutes, and one it never made", () => {
    const { sessions, advance } = store();
    const token = sessions.createLoginToken("local");
    advance(LOGIN_LINK_TTL_MS);
    expect(sessions.exchange(token)).toBeUndefined();
    expect(sessions.exchange("made-up")).toBeUndefined();
  });

  it("stores only hashes: neither the link token nor the session id is in the database", () => {
    const { sessions, db } = store();
    const token = sessions.createLoginToken("local");
    const { id } = sessions.exchange(token)!;
    const dump = JSON.stringify([
      db.prepare("SELECT * FROM studio_logins").all(),
      db.prepare("SELECT * FROM studio_sessions").all(),
    ]);
    expect(dump).not.toContain(token);
    expect(dump).not.toContain(id);
  });

  it("ends a session left idle, and any session at its absolute age however busy", () => {
    const { sessions, advance } = store();
    const idle = sessions.exchange(sessions.createLoginToken("local"))!;
    const busy = sessions.exchange(sessions.createLoginToken("local"))!;
    let elapsed = 0;
    while (elapsed + SESSION_IDLE_MS / 2 < SESSION_MAX_AGE_MS) {
      advance(SESSION_IDLE_MS / 2);
      elapsed += SESSION_IDLE_MS / 2;
      expect(sessions.find(busy.id)).toBeDefined();
    }
    expect(sessions.find(idle.id)).toBeUndefined();
    advance(SESSION_MAX_AGE_MS - elapsed);
    expect(sessions.find(busy.id)).toBeUndefined();
  });

  it("ends every session of one person on request, and only theirs", () => {
    const { sessions } = store();
    const alice = sessions.exchange(sessions.createLoginToken("alice"))!;
    const bob = sessions.exchange(sessions.createLoginToken("bob"))!;
    expect(sessions.endAll("alice")).toBe(1);
    expect(sessions.find(alice.id)).toBeUndefined();
    expect(sessions.find(bob.id)).toBeDefined();
  });
});
