import { parseDocument } from "yaml";

/** The front-matter fields the editor's form edits; the rest are edited in the file itself. */
export const FORM_FIELDS = ["name", "description", "model", "temperature"] as const;
export type FormField = (typeof FORM_FIELDS)[number];
const NUMBER_FIELDS: ReadonlySet<FormField> = new Set(["temperature"]);

/** The same front matter as the persona parser's (src/personas/parse.ts), its YAML captured. */
const FRONT_MATTER = /^(\uFEFF?---[ \t]*\r?\n)([\s\S]*?)(\r?\n---[ \t]*(?:\r?\n|$))/;

/** The form's values as the file holds them (empty for a field it lacks or cannot be read). */
export function formValues(text: string): Record<FormField, string> {
  const match = FRONT_MATTER.exec(text);
  const document = parseDocument(match?.[2] ?? "", { logLevel: "silent" });
  const read = (field: FormField) => {
    const value = document.errors.length > 0 ? undefined : document.get(field);
    return typeof value === "string" || typeof value === "number" ? String(value) : "";
  };
  return Object.fromEntries(FORM_FIELDS.map((field) => [field, read(field)])) as Record<FormField, string>;
}

/**
 * The file with one front-matter field set to `value` (removed when empty), everything else
 * (comments, other fields, the body) kept; undefined when the front matter cannot be read,
 * which the editor's problems list already says.
 */
export function withField(text: string, field: FormField, value: string): string | undefined {
  const match = FRONT_MATTER.exec(text);
  if (!match) return undefined;
  const document = parseDocument(match[2] ?? "", { logLevel: "silent" });
  if (document.errors.length > 0) return undefined;
  const trimmed = value.trim();
  if (trimmed === "") document.delete(field);
  else document.set(field, NUMBER_FIELDS.has(field) && Number.isFinite(Number(trimmed)) ? Number(trimmed) : trimmed);
  const yaml = document.toString({ lineWidth: 0, flowCollectionPadding: false }).replace(/\n$/, "");
  return `${match[1]}${yaml}${match[3]}${text.slice(match[0].length)}`;
}
