/** Cards: drop a V1/V2/V3 card (PNG or JSON) to see what import makes of it, then import it. */
import { STUDIO_PAGE } from "../../texts/studio.js";
import { postJson, StudioRefusal } from "./api.js";
import { button, element } from "./dom.js";

interface CardPreview {
  id: string;
  fields: Array<{ field: string; value: string }>;
  markdown: string;
  warnings: string[];
}

async function base64Of(file: File): Promise<string> {
  const bytes = new Uint8Array(await file.arrayBuffer());
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary);
}

function refusalLines(error: unknown): string[] {
  if (!(error instanceof StudioRefusal)) return [String(error)];
  const errors = Array.isArray(error.details.errors) ? error.details.errors.map(String) : [];
  return [error.message, ...errors];
}

function showPreview(out: HTMLElement, preview: CardPreview, importIt: () => void): void {
  const table = element("table", undefined, "mapping");
  for (const { field, value } of preview.fields) {
    const row = element("tr");
    row.append(element("th", field), element("td", value));
    table.append(row);
  }
  const warnings = element("ul", undefined, "problems");
  warnings.append(...preview.warnings.map((w) => element("li", w, "warning")));
  out.replaceChildren(
    element("h4", STUDIO_PAGE.cardBecomes(`${preview.id}.md`)),
    table,
    warnings,
    element("pre", preview.markdown, "markdown"),
    button(STUDIO_PAGE.importCard, importIt),
  );
}

/** The Cards pane; `imported` shows the list anew once a card became a persona. */
export function cardsPane(imported: (file: string) => void): HTMLElement {
  const pane = element("section", undefined, "cards");
  const zone = element("div", STUDIO_PAGE.dropHere, "dropzone");
  const picker = element("input");
  picker.type = "file";
  picker.accept = ".png,.json,image/png,application/json";
  picker.setAttribute("aria-label", STUDIO_PAGE.pickCard);
  const out = element("div", undefined, "card-preview");
  const fail = (error: unknown) =>
    out.replaceChildren(...refusalLines(error).map((line) => element("p", line, "error")));
  const take = async (file: File) => {
    const card = { name: file.name, data: await base64Of(file) };
    postJson<CardPreview>("/api/cards/preview", card).then(
      (preview) =>
        showPreview(out, preview, () =>
          postJson<CardPreview>("/api/cards/import", card).then((done) => imported(`${done.id}.md`), fail),
        ),
      fail,
    );
  };
  zone.addEventListener("dragover", (event) => {
    event.preventDefault();
    zone.classList.add("over");
  });
  zone.addEventListener("dragleave", () => zone.classList.remove("over"));
  zone.addEventListener("drop", (event) => {
    event.preventDefault();
    zone.classList.remove("over");
    const file = event.dataTransfer?.files[0];
    if (file) void take(file);
  });
  picker.addEventListener("change", () => {
    const file = picker.files?.[0];
    if (file) void take(file);
  });
  pane.append(element("h2", STUDIO_PAGE.cardsHeading), zone, picker, out);
  return pane;
}
