/** The inspector: for a sample conversation, the exact messages the bot's prompt builder makes from the draft, part by part. */
import { STUDIO_PAGE } from "../../texts/studio.js";
import { postJson, StudioRefusal } from "./api.js";
import { button, element } from "./dom.js";

interface Inspection {
  messages: Array<{ part: string; role: string; content: string; tokens: number; cacheable: boolean }>;
  lore: Array<{ index: number; comment?: string; constant: boolean; key?: string }>;
  tokens: number;
  budget: number;
  historyTurns: number;
  sampleTurns: number;
}

function showInspection(out: HTMLElement, inspection: Inspection): void {
  const lore = element("ul", undefined, "lore");
  lore.append(...inspection.lore.map((l) => element("li", STUDIO_PAGE.loreFired(l.index, l.comment, l.key))));
  if (inspection.lore.length === 0) lore.append(element("li", STUDIO_PAGE.noLore));
  const messages = inspection.messages.map((m) => {
    const box = element("section", undefined, m.cacheable ? "message cacheable" : "message");
    box.dataset.part = m.part;
    box.append(
      element("h4", STUDIO_PAGE.messageHeading(STUDIO_PAGE.parts[m.part] ?? m.part, m.role, m.tokens, m.cacheable)),
      element("pre", m.content),
    );
    return box;
  });
  out.replaceChildren(
    element(
      "p",
      STUDIO_PAGE.inspected(inspection.tokens, inspection.budget, inspection.historyTurns, inspection.sampleTurns),
      "total",
    ),
    lore,
    ...messages,
  );
}

/** The inspector's pane for `file`; `text` reads the draft (unsaved edits included). */
export function inspectorPane(file: string, text: () => string): HTMLElement {
  const pane = element("section", undefined, "inspector");
  const sample = element("textarea");
  sample.rows = 4;
  sample.setAttribute("aria-label", STUDIO_PAGE.sampleLabel);
  sample.value = STUDIO_PAGE.samples[0]?.text ?? "";
  const choice = element("select");
  choice.append(
    element("option", STUDIO_PAGE.sampleChoice),
    ...STUDIO_PAGE.samples.map((s) => element("option", s.label)),
  );
  choice.addEventListener("change", () => {
    const picked = STUDIO_PAGE.samples[choice.selectedIndex - 1];
    if (picked) sample.value = picked.text;
  });
  const out = element("div", undefined, "inspection");
  const run = () => {
    postJson<Inspection>(`/api/personas/${encodeURIComponent(file)}/inspect`, {
      text: text(),
      sample: sample.value,
    }).then(
      (inspection) => showInspection(out, inspection),
      (error: unknown) =>
        out.replaceChildren(element("p", error instanceof StudioRefusal ? error.message : String(error), "error")),
    );
  };
  pane.append(
    element("h3", STUDIO_PAGE.inspectorHeading),
    element("label", STUDIO_PAGE.sampleLabel),
    sample,
    choice,
    " ",
    button(STUDIO_PAGE.inspect, run),
    out,
  );
  return pane;
}
