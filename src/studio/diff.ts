/** The most lines a conflict's diff compares; past it the diff says only that the files differ. */
const MAX_DIFF_LINES = 4000;

/** One line of a diff: kept, only on disk ("-" for what the editor would lose), or only in the editor ("+"). */
export interface DiffLine {
  readonly kind: " " | "-" | "+";
  readonly text: string;
}

/** A line diff from `before` to `after` (longest common subsequence; persona files are short). */
export function lineDiff(before: string, after: string): DiffLine[] {
  const a = before.split("\n");
  const b = after.split("\n");
  if (a.length + b.length > MAX_DIFF_LINES)
    return [...a.map((text) => ({ kind: "-" as const, text })), ...b.map((text) => ({ kind: "+" as const, text }))];
  // common[i][j]: the longest common subsequence of a[i..] and b[j..].
  const common = Array.from({ length: a.length + 1 }, () => new Array<number>(b.length + 1).fill(0));
  for (let i = a.length - 1; i >= 0; i--) {
    for (let j = b.length - 1; j >= 0; j--)
      common[i]![j] = a[i] === b[j] ? common[i + 1]![j + 1]! + 1 : Math.max(common[i + 1]![j]!, common[i]![j + 1]!);
  }
  const lines: DiffLine[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    if (i < a.length && j < b.length && a[i] === b[j]) {
      lines.push({ kind: " ", text: a[i++]! });
      j++;
    } else if (i < a.length && (j === b.length || common[i + 1]![j]! >= common[i]![j + 1]!)) {
      lines.push({ kind: "-", text: a[i++]! });
    } else {
      lines.push({ kind: "+", text: b[j++]! });
    }
  }
  return lines;
}
