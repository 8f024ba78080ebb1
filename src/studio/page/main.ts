/**
 * The studio page's script. Everything it shows from a persona, a card or a model goes in
 * as text (textContent, DOM nodes), never as HTML.
 */
import { STUDIO_PAGE } from "../../texts/studio.js";
import { getJson, postJson, StudioRefusal, useRequestToken } from "./api.js";
import { button } from "./dom.js";
import { showPersonas } from "./personas.js";

interface SessionInfo {
  owner: string;
  csrfToken: string;
}

const status = document.getElementById("status") as HTMLElement;
const app = document.getElementById("app") as HTMLElement;
const who = document.getElementById("who") as HTMLElement;

/** Shows one line in the status bar; an error is marked as such. */
export function say(text: string, isError = false): void {
  status.textContent = text;
  status.classList.toggle("error", isError);
}

/** Spends the link's token (from the fragment, which never reaches a server log), or finds the existing session. */
async function signIn(): Promise<SessionInfo> {
  const token = new URLSearchParams(location.hash.slice(1)).get("token");
  if (token === null) return getJson<SessionInfo>("/api/session");
  say(STUDIO_PAGE.signingIn);
  // The fragment goes at once, spent or not: a reload or a copied address must not carry it.
  history.replaceState(null, "", location.pathname);
  return postJson<SessionInfo>("/api/login", { token });
}

function showSignedIn(session: SessionInfo): void {
  who.replaceChildren();
  const line = document.createElement("span");
  line.textContent = STUDIO_PAGE.signedInAs(session.owner);
  const out = document.createElement("button");
  out.type = "button";
  out.textContent = STUDIO_PAGE.signOut;
  out.addEventListener("click", () => {
    postJson("/api/logout", {}).then(
      () => {
        app.replaceChildren();
        who.replaceChildren();
        say(STUDIO_PAGE.signedOut);
      },
      (error: unknown) => say(String((error as Error).message), true),
    );
  });
  who.append(line, " ", out);
}

/** The Personas screen. */
async function personas(): Promise<void> {
  await showPersonas(app, { open: (file) => void edit(file), say });
}

/** The editor for one file; its code is loaded the first time. */
async function edit(file: string): Promise<void> {
  try {
    say(STUDIO_PAGE.loading);
    const { showEditor } = await import("./editor.js");
    await showEditor(app, file, say);
    say("");
    app.prepend(
      button(
        STUDIO_PAGE.back,
        () => void personas().catch((error: unknown) => say(String((error as Error).message), true)),
      ),
    );
  } catch (error) {
    say(error instanceof StudioRefusal ? error.message : String(error), true);
  }
}

async function start(): Promise<void> {
  try {
    const session = await signIn();
    useRequestToken(session.csrfToken);
    showSignedIn(session);
    say("");
    await personas();
  } catch (error) {
    say(error instanceof StudioRefusal ? error.message : String(error), true);
  }
}

void start();
