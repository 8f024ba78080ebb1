/**
 * Reads the shape of TypeScript sources without a parser (the TypeScript 7 package has
 * no JavaScript API): which relative modules a file imports, and how long each function
 * is. Strings, template literals, comments and regular expression literals are blanked
 * out first, so braces inside them do not count.
 */
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";

/** Every .ts and .mjs file under `dir`. */
export function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && /\.(ts|mjs)$/.test(entry.name))
    .map((entry) => path.join(entry.parentPath, entry.name))
    .sort();
}

/** Characters after which a `/` starts a regular expression rather than dividing. */
const BEFORE_REGEX = new Set([
  "(",
  ",",
  "=",
  ":",
  "[",
  "!",
  "&",
  "|",
  "?",
  "{",
  "}",
  ";",
  "+",
  "-",
  "*",
  "<",
  ">",
  "~",
  "^",
  "%",
  "",
]);

/** The code with every string, template, comment and regex replaced by spaces (newlines kept). */
export function codeOnly(source: string): string {
  const out = source.split("");
  const blank = (from: number, to: number) => {
    for (let k = from; k < to; k++) if (out[k] !== "\n") out[k] = " ";
  };
  const templateDepth: number[] = []; // brace depth at which each open template's ${ started
  let depth = 0;
  let i = 0;
  const lastCode = (at: number) => {
    let k = at - 1;
    while (k >= 0 && /\s/.test(out[k]!)) k--;
    const word = source.slice(Math.max(0, k - 5), k + 1);
    return /\breturn$/.test(word) ? "" : (out[k] ?? "");
  };
  const skipTemplate = (start: number): number => {
    let k = start;
    while (k < source.length && source[k] !== "`") {
      if (source[k] === "\\") k += 2;
      else if (source[k] === "$" && source[k + 1] === "{") {
        templateDepth.push(depth);
        depth++;
        blank(start, k + 2);
        return -(k + 2); // resume code after ${
      } else k++;
    }
    blank(start, k + 1);
    return k + 1;
  };
  while (i < source.length) {
    const c = source[i]!;
    const next = source[i + 1];
    if (c === "/" && next === "/") {
      const end = source.indexOf("\n", i);
      const stop = end === -1 ? source.length : end;
      blank(i, stop);
      i = stop;
    } else if (c === "/" && next === "*") {
      const stop = source.indexOf("*/", i + 2) + 2;
      blank(i, stop);
      i = stop;
    } else if (c === '"' || c === "'") {
      let k = i + 1;
      while (k < source.length && source[k] !== c) k += source[k] === "\\" ? 2 : 1;
      // The quotes stay: a string literal type ends type arguments (`Pick<T, "a">`), which headerBefore must see.
      blank(i + 1, k);
      i = k + 1;
    } else if (c === "`") {
      out[i] = " ";
      i = Math.abs(skipTemplate(i + 1));
    } else if (c === "/" && BEFORE_REGEX.has(lastCode(i))) {
      let k = i + 1;
      let inClass = false;
      while (k < source.length && (source[k] !== "/" || inClass) && source[k] !== "\n") {
        if (source[k] === "\\") k++;
        else if (source[k] === "[") inClass = true;
        else if (source[k] === "]") inClass = false;
        k++;
      }
      blank(i, k + 1);
      i = k + 1;
    } else if (c === "{") {
      depth++;
      i++;
    } else if (c === "}") {
      depth--;
      if (templateDepth.at(-1) === depth) {
        templateDepth.pop();
        out[i] = " ";
        i = Math.abs(skipTemplate(i + 1));
      } else i++;
    } else i++;
  }
  return out.join("");
}

/** The relative modules a file imports or re-exports (type-only imports included), as absolute paths. */
export function relativeImports(file: string): string[] {
  const source = readFileSync(file, "utf8");
  const specifiers = [...source.matchAll(/(?:from|import)\s*\(?\s*["'](\.{1,2}\/[^"']+)["']/g)].map((m) => m[1]!);
  return specifiers.map((s) => path.resolve(path.dirname(file), s.replace(/\.js$/, ".ts")));
}

/** Every import cycle among `files`, each as the list of files in it. */
export function importCycles(files: readonly string[]): string[][] {
  const graph = new Map(files.map((f) => [f, relativeImports(f).filter((to) => files.includes(to))]));
  const cycles: string[][] = [];
  const state = new Map<string, "open" | "done">();
  const visit = (file: string, trail: string[]) => {
    if (state.get(file) === "done") return;
    if (state.get(file) === "open") {
      cycles.push(trail.slice(trail.indexOf(file)));
      return;
    }
    state.set(file, "open");
    for (const to of graph.get(file) ?? []) visit(to, [...trail, to]);
    state.set(file, "done");
  };
  for (const file of files) visit(file, [file]);
  return cycles;
}

/** Words that open a block which is not a function body. */
const NOT_FUNCTIONS = new Set([
  "if",
  "for",
  "while",
  "switch",
  "catch",
  "with",
  "else",
  "do",
  "try",
  "finally",
  "return",
]);
const MODIFIERS = /^(?:(?:export|default|async|static|private|public|protected|readonly|override|get|set)\s+|\*\s*)*/;

export interface FunctionSpan {
  readonly name: string;
  readonly line: number;
  readonly lines: number;
}

/**
 * The functions, methods and arrow functions with a block body, each with its length in
 * lines from its header to its closing brace (nested functions count in their parent too).
 */
export function functionSpans(source: string): FunctionSpan[] {
  const code = codeOnly(source);
  const lineStarts = [0];
  for (let k = 0; k < code.length; k++) if (code[k] === "\n") lineStarts.push(k + 1);
  const lineOf = (index: number) => {
    let line = 0;
    while (line + 1 < lineStarts.length && lineStarts[line + 1]! <= index) line++;
    return line + 1;
  };
  const spans: FunctionSpan[] = [];
  const open: Array<{ name: string | undefined; line: number }> = [];
  for (let i = 0; i < code.length; i++) {
    if (code[i] === "{") {
      const header = headerBefore(code, i);
      open.push({
        name: functionName(header.text.replace(/\s+/g, " ").trim()),
        line: lineOf(header.start + header.text.search(/\S|$/)),
      });
    } else if (code[i] === "}") {
      const block = open.pop();
      if (block?.name !== undefined)
        spans.push({ name: block.name, line: block.line, lines: lineOf(i) - block.line + 1 });
    }
  }
  return spans;
}

/**
 * The code that introduces the block opening at `brace`: back to the start of its
 * statement, the previous item of a list, or the opening bracket it sits in; whatever is
 * in parentheses or brackets on the way (parameters, their defaults) belongs to it.
 */
function headerBefore(code: string, brace: number): { text: string; start: number } {
  let depth = 0;
  let k = brace - 1;
  for (; k >= 0; k--) {
    const c = code[k]!;
    // Type arguments (`Promise<void>`) hug their name; comparisons are spaced (`a > b`).
    const typeArgs = (c === ">" && /[\w\]>)"']/.test(code[k - 1] ?? "")) || (c === "<" && /\w/.test(code[k - 1] ?? ""));
    if (c === ")" || c === "]" || (c === ">" && typeArgs)) depth++;
    else if (c === "(" || c === "[" || (c === "<" && typeArgs)) {
      if (depth === 0) break;
      depth--;
    } else if (depth === 0 && (c === ";" || c === "{" || c === "}" || c === ",")) break;
  }
  return { text: code.slice(k + 1, brace), start: k + 1 };
}

/** The name of the function a block is the body of, from the code before it; undefined when it is not a function body. */
function functionName(header: string): string | undefined {
  if (/=>$/.test(header))
    return header.match(/^(?:export\s+)?(?:const|let|var)?\s*(#?\w+)\s*(?::[^=]*)?=[^=>]/)?.[1] ?? "(arrow)";
  const fn = header.match(/\bfunction\b\s*\*?\s*(\w*)/);
  if (fn) return fn[1] || "(function)";
  const method = header.replace(MODIFIERS, "").match(/^(#?\w+)\s*(?:<.*>)?\s*\(.*\)\s*(?::.*)?$/);
  if (!method || NOT_FUNCTIONS.has(method[1]!)) return undefined;
  return method[1];
}
