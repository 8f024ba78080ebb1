/** The Personas screen: every persona file with its problems, as `npm run personas -- check` finds them; new, duplicate, delete. */
import { STUDIO_PAGE } from "../../texts/studio.js";
import { getJson, postJson, StudioRefusal } from "./api.js";
import { cardsPane } from "./cards.js";
import { button, element } from "./dom.js";

interface PersonaListing {
  file: string;
  id: string | null;
  name: string | null;
  description: string | null;
  problems: string[];
  warnings: string[];
}

/** What the screen can do beyond itself. */
export interface PersonasScreen {
  /** Opens a file in the editor. */
  open(file: string): void;
  /** Shows a line in the status bar. */
  say(text: string, isError?: boolean): void;
}

/** A Markdown persona file: what the editor opens (cards are imported first). */
const EDITABLE_FILE = /^[a-z0-9][a-z0-9_-]{0,63}\.md$/;

/** An inline form: a labelled text input and a button that sends its value. */
function inlineForm(label: string, action: string, className: string, send: (value: string) => void): HTMLFormElement {
  const form = element("form", undefined, className);
  const input = element("input");
  input.type = "text";
  input.setAttribute("aria-label", label);
  input.placeholder = label;
  const submit = element("button", action);
  submit.type = "submit";
  form.append(input, " ", submit);
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    send(input.value.trim());
  });
  return form;
}

function personaRow(
  listing: PersonaListing,
  act: (call: () => Promise<unknown>, done: string) => void,
  screen: PersonasScreen,
): HTMLLIElement {
  const row = element("li", undefined, listing.problems.length > 0 ? "persona broken" : "persona");
  row.dataset.file = listing.file;
  row.append(element("strong", listing.name ?? listing.id ?? listing.file), " ", element("code", listing.file));
  if (EDITABLE_FILE.test(listing.file)) row.append(" ", ...personaActions(listing, act, screen));
  if (listing.description) row.append(element("p", listing.description));
  row.append(
    element(
      "span",
      listing.problems.length > 0 ? STUDIO_PAGE.problems(listing.problems.length) : STUDIO_PAGE.fine,
      "count",
    ),
  );
  const notes = element("ul", undefined, "problems");
  for (const problem of listing.problems) notes.append(element("li", problem, "problem"));
  for (const warning of listing.warnings) notes.append(element("li", warning, "warning"));
  if (notes.childElementCount > 0) row.append(notes);
  return row;
}

/** A persona file's buttons: edit, duplicate (asks the new id), delete (asks for the id typed back), export. */
function personaActions(
  listing: PersonaListing,
  act: (call: () => Promise<unknown>, done: string) => void,
  screen: PersonasScreen,
): Array<Node | string> {
  const id = listing.file.replace(/\.md$/, "");
  const more = element("span", undefined, "more");
  const duplicate = () =>
    more.replaceChildren(
      inlineForm(STUDIO_PAGE.newId, STUDIO_PAGE.create, "duplicate", (newId) =>
        act(() => postJson("/api/personas", { id: newId, from: listing.file }), STUDIO_PAGE.created(`${newId}.md`)),
      ),
    );
  const remove = () => {
    const form = inlineForm(id, STUDIO_PAGE.deleteForGood, "confirm-delete", (typed) =>
      act(
        () => postJson(`/api/personas/${encodeURIComponent(listing.file)}/delete`, { confirm: typed }),
        STUDIO_PAGE.deleted(listing.file),
      ),
    );
    more.replaceChildren(
      element("span", STUDIO_PAGE.confirmDelete(id)),
      " ",
      form,
      " ",
      button(STUDIO_PAGE.cancel, () => more.replaceChildren()),
    );
  };
  const exportLink = (format: "png" | "json") => {
    const link = element("a", STUDIO_PAGE.exportAs(format), `export-${format}`);
    link.href = `/api/personas/${encodeURIComponent(listing.file)}/export?format=${format}`;
    link.download = `${id}.${format}`;
    return link;
  };
  return [
    button(STUDIO_PAGE.edit, () => screen.open(listing.file)),
    " ",
    button(STUDIO_PAGE.duplicate, duplicate),
    " ",
    button(STUDIO_PAGE.delete, remove),
    " ",
    exportLink("png"),
    " ",
    exportLink("json"),
    more,
  ];
}

/** Fills `root` with the Personas screen. */
export async function showPersonas(root: HTMLElement, screen: PersonasScreen): Promise<void> {
  const { personas } = await getJson<{ personas: PersonaListing[] }>("/api/personas");
  /** Runs a change, then shows the list anew with what happened (or why not). */
  const act = (call: () => Promise<unknown>, done: string) => {
    call().then(
      () => showPersonas(root, screen).then(() => screen.say(done)),
      (error: unknown) => screen.say(error instanceof StudioRefusal ? error.message : String(error), true),
    );
  };
  const create = inlineForm(STUDIO_PAGE.newId, STUDIO_PAGE.newPersona, "new-persona", (id) =>
    act(() => postJson("/api/personas", { id }), STUDIO_PAGE.created(`${id}.md`)),
  );
  const list = element("ul", undefined, "personas");
  list.append(...personas.map((listing) => personaRow(listing, act, screen)));
  const cards = cardsPane((file) => void showPersonas(root, screen).then(() => screen.say(STUDIO_PAGE.created(file))));
  root.replaceChildren(
    element("h2", STUDIO_PAGE.personasHeading),
    create,
    personas.length > 0 ? list : element("p", STUDIO_PAGE.noPersonas),
    cards,
  );
}
