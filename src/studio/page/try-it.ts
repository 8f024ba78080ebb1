/** Try it: a chat with the draft (unsaved edits included), streamed from the configured model into a scratch conversation. */
import { STUDIO_PAGE } from "../../texts/studio.js";
import { postStream, StudioRefusal } from "./api.js";
import { element } from "./dom.js";

/** The pane for `file`; `text` reads the draft, `name` the persona's name to show its lines under. */
export function tryItPane(file: string, text: () => string, name: () => string): HTMLElement {
  const pane = element("section", undefined, "try-it");
  const transcript = element("ol", undefined, "transcript");
  const form = element("form");
  const input = element("input");
  input.type = "text";
  input.setAttribute("aria-label", STUDIO_PAGE.tryLabel);
  input.placeholder = STUDIO_PAGE.tryLabel;
  const send = element("button", STUDIO_PAGE.send);
  send.type = "submit";
  form.append(input, " ", send);
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const message = input.value.trim();
    if (message === "") return;
    input.value = "";
    send.disabled = true;
    transcript.append(element("li", `${STUDIO_PAGE.you}: ${message}`, "mine"));
    const reply = element("li", undefined, "reply");
    const said = element("span");
    reply.append(element("strong", `${name()}: `), said);
    transcript.append(reply);
    postStream(`/api/personas/${encodeURIComponent(file)}/try`, { text: text(), message }, (kind, data) => {
      if (kind === "piece" && typeof data === "string") said.textContent += data;
      if (
        kind === "end" &&
        typeof data === "object" &&
        data !== null &&
        "error" in data &&
        typeof data.error === "string"
      )
        reply.append(element("em", ` [${data.error}]`, "error"));
      if (kind === "end") reply.classList.add("done");
    })
      .catch((error: unknown) =>
        reply.append(element("em", ` [${error instanceof StudioRefusal ? error.message : String(error)}]`, "error")),
      )
      .finally(() => {
        send.disabled = false;
      });
  });
  pane.append(element("h3", STUDIO_PAGE.tryHeading), transcript, form);
  return pane;
}
