/** The editor's form: a few front-matter fields as inputs, each change written into the file's text by the server (comments kept). */
import { STUDIO_PAGE } from "../../texts/studio.js";
import { postJson, StudioRefusal } from "./api.js";
import { element } from "./dom.js";

/** The fields the server's form edits (src/studio/fields.ts). */
const FIELDS = ["name", "description", "model", "temperature"] as const;

export interface FieldsForm {
  readonly root: HTMLElement;
  /** Shows the values the file now holds, except in the input being typed in. */
  show(values: Record<string, string>): void;
}

/**
 * The form for `file`: `text` reads the editor's text and `replace` puts the changed text
 * back; `say` shows a refusal.
 */
export function fieldsForm(
  file: string,
  text: () => string,
  replace: (text: string) => void,
  say: (text: string, isError?: boolean) => void,
): FieldsForm {
  const root = element("div", undefined, "fields");
  const inputs = new Map<string, HTMLInputElement>();
  for (const name of FIELDS) {
    const label = element("label", STUDIO_PAGE.fieldLabels[name]);
    const input = element("input");
    input.name = name;
    input.type = "text";
    input.addEventListener("change", () => {
      postJson<{ text: string }>(`/api/personas/${encodeURIComponent(file)}/field`, {
        text: text(),
        field: name,
        value: input.value,
      }).then(
        (changed) => replace(changed.text),
        (error: unknown) => say(error instanceof StudioRefusal ? error.message : String(error), true),
      );
    });
    label.append(input);
    root.append(label);
    inputs.set(name, input);
  }
  return {
    root,
    show: (values) => {
      for (const [name, input] of inputs) if (document.activeElement !== input) input.value = values[name] ?? "";
    },
  };
}
