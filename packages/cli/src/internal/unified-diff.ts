import { diffLines, type DiffLine } from './line-diff.js';

/** Options of {@link unifiedDiff}. */
export interface UnifiedDiffOptions {
  /** Label of the old text, on the `---` line. */
  readonly from: string;
  /** Label of the new text, on the `+++` line. */
  readonly to: string;
  /** Unchanged lines shown around each change. Default 3. */
  readonly context?: number;
  /** Most lines of hunks printed; the rest is counted in one line. Default 200. */
  readonly maxLines?: number;
}

/** Ends a last line that has no newline, so it differs from the same line with one. */
const NO_NEWLINE = '\u0000';

/**
 * The differences between two texts in unified diff format (`---`/`+++` labels, `@@` hunks with
 * line numbers, `-` removed and `+` added lines, a few unchanged lines around each), or `''`
 * when they are equal.
 */
export function unifiedDiff(before: string, after: string, options: UnifiedDiffOptions): string {
  if (before === after) return '';
  const context = options.context ?? 3;
  const maxLines = options.maxLines ?? 200;
  const ops = diffLines(lines(before), lines(after));
  const body: string[] = [];
  for (const hunk of hunks(ops, context)) {
    body.push(`@@ -${range(hunk.oldStart, hunk.oldCount)} +${range(hunk.newStart, hunk.newCount)} @@`);
    for (const { op, text } of hunk.lines) {
      body.push(text.endsWith(NO_NEWLINE) ? `${op}${text.slice(0, -1)}` : `${op}${text}`);
      if (text.endsWith(NO_NEWLINE)) body.push('\\ No newline at end of file');
    }
  }
  const out = [`--- ${options.from}`, `+++ ${options.to}`, ...body.slice(0, maxLines)];
  if (body.length > maxLines) out.push(`... ${body.length - maxLines} more lines of diff`);
  return `${out.join('\n')}\n`;
}

/** Lines of a text; a last line without a newline is marked, as `diff -u` does. */
function lines(text: string): string[] {
  const all = text.split('\n');
  const last = all.pop()!;
  if (last !== '') all.push(`${last}${NO_NEWLINE}`);
  return all;
}

interface Hunk {
  readonly oldStart: number;
  readonly oldCount: number;
  readonly newStart: number;
  readonly newCount: number;
  readonly lines: readonly DiffLine[];
}

function hunks(ops: readonly DiffLine[], context: number): Hunk[] {
  const changed = ops.flatMap((op, index) => (op.op === ' ' ? [] : [index]));
  // Line numbers (1-based) of each op in the old and the new text, before the op.
  const oldLine: number[] = [];
  const newLine: number[] = [];
  let o = 1;
  let n = 1;
  for (const op of ops) {
    oldLine.push(o);
    newLine.push(n);
    if (op.op !== '+') o++;
    if (op.op !== '-') n++;
  }
  const result: Hunk[] = [];
  let index = 0;
  while (index < changed.length) {
    const start = Math.max(0, changed[index]! - context);
    let last = changed[index]!;
    while (index + 1 < changed.length && changed[index + 1]! - last <= 2 * context + 1)
      last = changed[++index]!;
    index++;
    const end = Math.min(ops.length, last + context + 1);
    const slice = ops.slice(start, end);
    const oldCount = slice.filter((l) => l.op !== '+').length;
    const newCount = slice.filter((l) => l.op !== '-').length;
    result.push({
      oldStart: oldCount === 0 ? oldLine[start]! - 1 : oldLine[start]!,
      oldCount,
      newStart: newCount === 0 ? newLine[start]! - 1 : newLine[start]!,
      newCount,
      lines: slice,
    });
  }
  return result;
}

function range(start: number, count: number): string {
  return count === 1 ? `${start}` : `${start},${count}`;
}
