/**
 * The editor: a persona file in CodeMirror 6 (YAML front matter, Markdown body), checked as
 * you type by the server (the bot's own parser), each problem at its line, the tokens per
 * part against CONTEXT_TOKENS, and a save that a change on disk refuses with a diff.
 * Loaded only when a persona is opened (its own chunk of the bundle).
 */
import { defaultKeymap, history, historyKeymap } from "@codemirror/commands";
import { markdownLanguage } from "@codemirror/lang-markdown";
import { yamlFrontmatter } from "@codemirror/lang-yaml";
import { defaultHighlightStyle, syntaxHighlighting } from "@codemirror/language";
import { type Diagnostic, linter, lintGutter } from "@codemirror/lint";
import { EditorState } from "@codemirror/state";
import { EditorView, keymap, lineNumbers } from "@codemirror/view";
import { STUDIO_PAGE } from "../../texts/studio.js";
import { getJson, postJson, StudioRefusal } from "./api.js";
import { element } from "./dom.js";
import { fieldsForm } from "./fields-form.js";
import { inspectorPane } from "./inspector.js";
import { tryItPane } from "./try-it.js";

interface EditorProblem {
  field: string;
  reason: string;
  line: number;
  warning: boolean;
}
interface TokenReport {
  sections: Array<{ name: string; tokens: number }>;
  fixed: number;
  contextTokens: number;
}
interface Checked {
  problems: EditorProblem[];
  tokens?: TokenReport;
  fields: Record<string, string>;
}
type DiffLine = { kind: " " | "-" | "+"; text: string };

/** The nonce the page's CSP gives styles (src/studio/page-html.ts), for CodeMirror's style element. */
const styleNonce = () => document.querySelector<HTMLMetaElement>('meta[name="style-nonce"]')?.content ?? "";

/** How long typing pauses before the draft is checked. */
const CHECK_DELAY_MS = 300;

function showProblems(list: HTMLElement, problems: readonly EditorProblem[]): void {
  list.replaceChildren(
    ...problems.map((p) =>
      element("li", STUDIO_PAGE.problemAt(p.line, p.field, p.reason), p.warning ? "warning" : "problem"),
    ),
  );
  if (problems.length === 0) list.append(element("li", STUDIO_PAGE.fine, "fine"));
}

function showTokens(table: HTMLElement, tokens: TokenReport | undefined): void {
  if (!tokens) {
    table.replaceChildren();
    return;
  }
  const rows = tokens.sections.map((s) => {
    const row = element("tr");
    row.append(element("td", s.name), element("td", String(s.tokens)));
    return row;
  });
  const total = element("tr", undefined, "total");
  total.append(
    element("td", STUDIO_PAGE.fixedTokens),
    element("td", STUDIO_PAGE.ofContext(tokens.fixed, tokens.contextTokens)),
  );
  table.replaceChildren(...rows, total);
}

function diagnosticsFor(view: EditorView, problems: readonly EditorProblem[]): Diagnostic[] {
  return problems.map((p) => {
    const line = view.state.doc.line(Math.min(Math.max(p.line, 1), view.state.doc.lines));
    return {
      from: line.from,
      to: line.to,
      severity: p.warning ? "warning" : "error",
      message: `${p.field}: ${p.reason}`,
    };
  });
}

function showDiff(box: HTMLElement, diff: readonly DiffLine[]): void {
  const pre = element("pre", undefined, "diff");
  pre.append(
    ...diff.map((d) =>
      element("span", `${d.kind} ${d.text}\n`, d.kind === "-" ? "gone" : d.kind === "+" ? "added" : "same"),
    ),
  );
  box.replaceChildren(pre);
}

/** CodeMirror over `doc` in `host`: YAML front matter, a Markdown body, and `check` as its linter. */
function codeEditor(host: HTMLElement, doc: string, check: (view: EditorView) => Promise<Diagnostic[]>): EditorView {
  return new EditorView({
    parent: host,
    state: EditorState.create({
      doc,
      extensions: [
        EditorView.cspNonce.of(styleNonce()),
        lineNumbers(),
        history(),
        keymap.of([...defaultKeymap, ...historyKeymap]),
        yamlFrontmatter({ content: markdownLanguage }),
        syntaxHighlighting(defaultHighlightStyle),
        EditorView.lineWrapping,
        lintGutter(),
        linter(check, { delay: CHECK_DELAY_MS }),
      ],
    }),
  });
}

/**
 * The Save button: saves the draft only over the revision it was opened at (then the one it
 * saved); a refused save shows the diff of what changed on disk, or the draft's problems.
 */
function saveButton(
  file: string,
  editor: EditorView,
  openedAt: string,
  shown: { conflict: HTMLElement; problems: HTMLElement },
  say: (text: string, isError?: boolean) => void,
): HTMLButtonElement {
  const save = element("button", STUDIO_PAGE.save);
  save.type = "button";
  let revision = openedAt;
  save.addEventListener("click", () => {
    postJson<{ revision: string }>(`/api/personas/${encodeURIComponent(file)}/save`, {
      text: editor.state.doc.toString(),
      revision,
    }).then(
      (saved) => {
        revision = saved.revision;
        shown.conflict.replaceChildren();
        say(STUDIO_PAGE.saved(file));
      },
      (error: unknown) => {
        say(error instanceof StudioRefusal ? error.message : String(error), true);
        if (error instanceof StudioRefusal && Array.isArray(error.details.diff))
          showDiff(shown.conflict, error.details.diff as DiffLine[]);
        if (error instanceof StudioRefusal && Array.isArray(error.details.problems))
          showProblems(shown.problems, error.details.problems as EditorProblem[]);
      },
    );
  });
  return save;
}

/** Fills `root` with the editor for `file`; `say` shows a line in the status bar. */
export async function showEditor(
  root: HTMLElement,
  file: string,
  say: (text: string, isError?: boolean) => void,
): Promise<void> {
  const opened = await getJson<Checked & { text: string; revision: string }>(
    `/api/personas/${encodeURIComponent(file)}`,
  );
  const problems = element("ul", undefined, "problems");
  const tokens = element("table", undefined, "tokens");
  const conflict = element("div", undefined, "conflict");
  const host = element("div", undefined, "editor");
  let view: EditorView | undefined;
  const form = fieldsForm(
    file,
    () => view?.state.doc.toString() ?? "",
    (text) => view?.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: text } }),
    say,
  );
  const check = async (view: EditorView): Promise<Diagnostic[]> => {
    const checked = await postJson<Checked>(`/api/personas/${encodeURIComponent(file)}/check`, {
      text: view.state.doc.toString(),
    });
    form.show(checked.fields);
    showProblems(problems, checked.problems);
    showTokens(tokens, checked.tokens);
    return diagnosticsFor(view, checked.problems);
  };
  view = codeEditor(host, opened.text, check);
  const editor = view;
  const save = saveButton(file, editor, opened.revision, { conflict, problems }, say);
  showProblems(problems, opened.problems);
  showTokens(tokens, opened.tokens);
  form.show(opened.fields);
  const side = element("aside");
  side.append(
    element("h3", STUDIO_PAGE.fieldsHeading),
    form.root,
    element("h3", STUDIO_PAGE.problemsHeading),
    problems,
    element("h3", STUDIO_PAGE.tokensHeading),
    tokens,
  );
  const bar = element("div", undefined, "bar");
  bar.append(element("h2", file), save);
  const layout = element("div", undefined, "editing");
  layout.append(host, side);
  const draft = () => editor.state.doc.toString();
  const personaName = () => form.root.querySelector<HTMLInputElement>('input[name="name"]')?.value || file;
  root.replaceChildren(bar, conflict, layout, tryItPane(file, draft, personaName), inspectorPane(file, draft));
  editor.focus();
}
