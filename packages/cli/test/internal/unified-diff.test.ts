import { describe, expect, it } from '@jest/globals';
import { unifiedDiff } from '../../src/internal/unified-diff.js';

const labels = { from: 'a.txt (committed)', to: 'a.txt (generated)' };
const numbered = (n: number) => Array.from({ length: n }, (_, i) => `line ${i + 1}`);
const text = (lines: readonly string[]) => `${lines.join('\n')}\n`;

describe('unifiedDiff', () => {
  it('is empty for equal texts', () => {
    expect(unifiedDiff('a\nb\n', 'a\nb\n', labels)).toBe('');
  });

  it('shows a changed line with three lines of context and line numbers', () => {
    const before = numbered(10);
    const after = [...before];
    after[4] = 'line five';
    expect(unifiedDiff(text(before), text(after), labels)).toBe(
      [
        '--- a.txt (committed)',
        '+++ a.txt (generated)',
        '@@ -2,7 +2,7 @@',
        ' line 2',
        ' line 3',
        ' line 4',
        '-line 5',
        '+line five',
        ' line 6',
        ' line 7',
        ' line 8',
        '',
      ].join('\n'),
    );
  });

  it('makes separate hunks for distant changes and joins near ones', () => {
    const before = numbered(30);
    const after = [...before];
    after.splice(2, 1);
    after.splice(24, 0, 'inserted');
    const out = unifiedDiff(text(before), text(after), labels);
    expect(out.split('\n').filter((l) => l.startsWith('@@'))).toEqual([
      '@@ -1,6 +1,5 @@',
      '@@ -23,6 +22,7 @@',
    ]);
    expect(out).toContain('\n-line 3\n');
    expect(out).toContain('\n line 25\n+inserted\n line 26\n');
    const near = [...before];
    near[9] = 'x';
    near[14] = 'y';
    const joined = unifiedDiff(text(before), text(near), labels);
    expect(joined.split('\n').filter((l) => l.startsWith('@@'))).toEqual(['@@ -7,12 +7,12 @@']);
  });

  it('aligns on common lines instead of replacing everything (a smallest diff)', () => {
    const out = unifiedDiff('a\nb\nc\nd\n', 'a\nx\nc\nd\ny\n', labels);
    expect(out.split('\n').slice(2)).toEqual(['@@ -1,4 +1,5 @@', ' a', '-b', '+x', ' c', ' d', '+y', '']);
  });

  it('handles empty texts and additions at the start', () => {
    expect(unifiedDiff('', 'a\n', labels).split('\n').slice(2)).toEqual(['@@ -0,0 +1 @@', '+a', '']);
    expect(unifiedDiff('b\n', 'a\nb\n', labels).split('\n').slice(2)).toEqual([
      '@@ -1 +1,2 @@',
      '+a',
      ' b',
      '',
    ]);
  });

  it('marks a last line without a newline, as diff -u does', () => {
    expect(unifiedDiff('a\nb', 'a\nb\n', labels).split('\n').slice(2)).toEqual([
      '@@ -1,2 +1,2 @@',
      ' a',
      '-b',
      '\\ No newline at end of file',
      '+b',
      '',
    ]);
  });

  it('cuts a long diff and says how much is left', () => {
    const out = unifiedDiff(text(numbered(50)), text(numbered(50).map((l) => `${l}!`)), {
      ...labels,
      maxLines: 10,
    });
    const lines = out.trimEnd().split('\n');
    expect(lines).toHaveLength(2 + 10 + 1);
    expect(lines.at(-1)).toBe('... 91 more lines of diff');
  });
});
