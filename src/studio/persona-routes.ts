import { existsSync } from "node:fs";
import path from "node:path";
import type { Context, Hono } from "hono";
import { STUDIO_REFUSALS } from "../texts/studio.js";
import { checkSource, EDITABLE_FILE, readSource, saveSource } from "./editing.js";
import { inspect } from "./inspect.js";
import { FORM_FIELDS, formValues, withField } from "./fields.js";
import { createPersona, deletePersona, type FileRefusal } from "./files.js";
import { jsonBody, refuse, type StudioEnv } from "./guards.js";
import { listPersonas } from "./personas.js";
import type { TryIt } from "./try-it.js";

/** What the persona routes work on. */
export interface PersonaRoutesDeps {
  readonly personasDir: string;
  readonly contextTokens: number;
  /** DEFAULT_PERSONA: its file may not be deleted. */
  readonly defaultPersona: string;
  readonly tryIt: TryIt;
}

/** A string field of a JSON body, or undefined. */
function field(body: unknown, name: string): string | undefined {
  const value = typeof body === "object" && body !== null ? (body as Record<string, unknown>)[name] : undefined;
  return typeof value === "string" ? value : undefined;
}

/** The file the route names, when it is a Markdown persona file that exists; else the refusal to send. */
function editableFile(c: Context<StudioEnv>, dir: string): string | Response {
  const file = c.req.param("file") ?? "";
  if (!EDITABLE_FILE.test(file)) return refuse(c, 400, STUDIO_REFUSALS.notEditable(file));
  if (!existsSync(path.join(dir, file))) return refuse(c, 404, STUDIO_REFUSALS.noSuchFile(file));
  return file;
}

/** The Personas screen's and the editor's API. */
export function addPersonaRoutes(app: Hono<StudioEnv>, deps: PersonaRoutesDeps): void {
  addListRoutes(app, deps);
  addEditorRoutes(app, deps);
  addDraftRoutes(app, deps);
}

/** The Personas screen's: the list, a new (or duplicated) persona, deleting one. */
function addListRoutes(app: Hono<StudioEnv>, deps: PersonaRoutesDeps): void {
  const { personasDir: dir, contextTokens } = deps;
  app.get("/api/personas", (c) => c.json({ personas: listPersonas(dir, contextTokens) }));

  const fileRefusal = (c: Context<StudioEnv>, refusal: FileRefusal, name: string) =>
    refuse(c, refusal === "taken" ? 409 : 400, STUDIO_REFUSALS.file[refusal](name));

  app.post("/api/personas", async (c) => {
    const body = await jsonBody(c);
    const id = field(body, "id") ?? "";
    const from = field(body, "from");
    if (from !== undefined && (!EDITABLE_FILE.test(from) || !existsSync(path.join(dir, from))))
      return refuse(c, 404, STUDIO_REFUSALS.noSuchFile(from));
    const result = createPersona(dir, id.trim(), from);
    return "refusal" in result ? fileRefusal(c, result.refusal, id) : c.json(result);
  });

  app.post("/api/personas/:file/delete", async (c) => {
    const file = editableFile(c, dir);
    if (typeof file !== "string") return file;
    const result = deletePersona(dir, file, field(await jsonBody(c), "confirm"), deps.defaultPersona);
    return "refusal" in result ? fileRefusal(c, result.refusal, file.replace(/\.md$/, "")) : c.json(result);
  });
}

/** The editor's: open a file, check a draft, change a field of it, save it. */
function addEditorRoutes(app: Hono<StudioEnv>, deps: PersonaRoutesDeps): void {
  const { personasDir: dir, contextTokens } = deps;

  app.get("/api/personas/:file", (c) => {
    const file = editableFile(c, dir);
    if (typeof file !== "string") return file;
    const source = readSource(dir, file);
    return c.json({
      file,
      ...source,
      ...checkSource(dir, file, source.text, contextTokens),
      fields: formValues(source.text),
    });
  });

  app.post("/api/personas/:file/check", async (c) => {
    const file = editableFile(c, dir);
    if (typeof file !== "string") return file;
    const text = field(await jsonBody(c), "text");
    if (text === undefined) return refuse(c, 400, STUDIO_REFUSALS.needsText);
    return c.json({ ...checkSource(dir, file, text, contextTokens), fields: formValues(text) });
  });

  app.post("/api/personas/:file/field", async (c) => {
    const file = editableFile(c, dir);
    if (typeof file !== "string") return file;
    const body = await jsonBody(c);
    const text = field(body, "text");
    const name = FORM_FIELDS.find((f) => f === field(body, "field"));
    const value = field(body, "value");
    if (text === undefined || name === undefined || value === undefined)
      return refuse(c, 400, STUDIO_REFUSALS.needsText);
    const changed = withField(text, name, value);
    return changed === undefined ? refuse(c, 400, STUDIO_REFUSALS.frontMatterFirst) : c.json({ text: changed });
  });

  app.post("/api/personas/:file/save", async (c) => {
    const file = editableFile(c, dir);
    if (typeof file !== "string") return file;
    const body = await jsonBody(c);
    const text = field(body, "text");
    const revision = field(body, "revision");
    if (text === undefined || revision === undefined) return refuse(c, 400, STUDIO_REFUSALS.needsText);
    const result = saveSource(dir, file, text, revision, contextTokens);
    if (result.kind === "conflict")
      return c.json({ error: STUDIO_REFUSALS.conflict(file), diff: result.diff, revision: result.revision }, 409);
    if (result.kind === "invalid")
      return c.json({ error: STUDIO_REFUSALS.invalid(file), problems: result.problems }, 422);
    return c.json({ revision: result.revision });
  });
}

/** What a draft does: the inspector's prompt for a sample, and Try it's streamed reply. */
function addDraftRoutes(app: Hono<StudioEnv>, deps: PersonaRoutesDeps): void {
  const { personasDir: dir, contextTokens } = deps;
  app.post("/api/personas/:file/inspect", async (c) => {
    const file = editableFile(c, dir);
    if (typeof file !== "string") return file;
    const body = await jsonBody(c);
    const text = field(body, "text");
    const sample = field(body, "sample");
    if (text === undefined || sample === undefined) return refuse(c, 400, STUDIO_REFUSALS.needsText);
    const inspection = inspect(dir, file, text, sample, contextTokens);
    return inspection.ok ? c.json(inspection) : refuse(c, 400, STUDIO_REFUSALS.cannotInspect[inspection.problem]);
  });

  app.post("/api/personas/:file/try", async (c) => {
    const file = editableFile(c, dir);
    if (typeof file !== "string") return file;
    const body = await jsonBody(c);
    const text = field(body, "text");
    const message = field(body, "message");
    if (text === undefined || message === undefined) return refuse(c, 400, STUDIO_REFUSALS.needsText);
    return deps.tryIt.answer(c, dir, file, text, message, c.get("session").owner);
  });
}
