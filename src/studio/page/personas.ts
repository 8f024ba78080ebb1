/** The Personas screen: every persona file with its problems, as `npm run personas -- check` finds them. */
import { STUDIO_PAGE } from "../../texts/studio.js";
import { getJson } from "./api.js";
import { button, element } from "./dom.js";

/** A Markdown persona file: what the editor opens (cards are imported first). */
const EDITABLE_FILE = /^[a-z0-9][a-z0-9_-]{0,63}\.md$/;

interface PersonaListing {
  file: string;
  id: string | null;
  name: string | null;
  description: string | null;
  problems: string[];
  warnings: string[];
}

function personaRow(listing: PersonaListing, open: (file: string) => void): HTMLLIElement {
  const row = element("li", undefined, listing.problems.length > 0 ? "persona broken" : "persona");
  row.dataset.file = listing.file;
  row.append(element("strong", listing.name ?? listing.id ?? listing.file), " ", element("code", listing.file));
  if (EDITABLE_FILE.test(listing.file)) row.append(" ", button(STUDIO_PAGE.edit, () => open(listing.file)));
  if (listing.description) row.append(element("p", listing.description));
  row.append(element("span", listing.problems.length > 0 ? STUDIO_PAGE.problems(listing.problems.length) : STUDIO_PAGE.fine, "count"));
  const notes = element("ul", undefined, "problems");
  for (const problem of listing.problems) notes.append(element("li", problem, "problem"));
  for (const warning of listing.warnings) notes.append(element("li", warning, "warning"));
  if (notes.childElementCount > 0) row.append(notes);
  return row;
}

/** Fills `root` with the Personas screen; `open` opens a file in the editor. */
export async function showPersonas(root: HTMLElement, open: (file: string) => void): Promise<void> {
  const { personas } = await getJson<{ personas: PersonaListing[] }>("/api/personas");
  const list = element("ul", undefined, "personas");
  list.append(...personas.map((listing) => personaRow(listing, open)));
  root.replaceChildren(element("h2", STUDIO_PAGE.personasHeading), personas.length > 0 ? list : element("p", STUDIO_PAGE.noPersonas));
}
