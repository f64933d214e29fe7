import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { diffLines, type DiffLine } from '../../src/internal/line-diff.js';

const side = (diff: readonly DiffLine[], drop: '-' | '+') =>
  diff.filter((l) => l.op !== drop).map((l) => l.text);

describe('diffLines', () => {
  it('keeps both texts: unchanged and removed lines give the old one, unchanged and added the new one', () => {
    const lines = fc.array(fc.constantFrom('a', 'b', 'c', 'd', ''), { maxLength: 30 });
    fc.assert(
      fc.property(lines, lines, (before, after) => {
        const diff = diffLines(before, after);
        expect(side(diff, '+')).toEqual(before);
        expect(side(diff, '-')).toEqual(after);
      }),
    );
  });

  it('changes only what changed: one edited line is one removal and one addition', () => {
    const before = ['a', 'b', 'c', 'd', 'e', 'f'];
    const diff = diffLines(before, ['a', 'b', 'X', 'd', 'e', 'f']);
    expect(diff.filter((l) => l.op !== ' ')).toEqual([
      { op: '-', text: 'c' },
      { op: '+', text: 'X' },
    ]);
  });

  it('still gives a correct diff for texts too large to align line by line', () => {
    const before = Array.from({ length: 2100 }, (_, i) => (i % 2 === 0 ? `same ${i}` : `old ${i}`));
    const after = before.map((line) => line.replace('old', 'new'));
    const diff = diffLines(before, after);
    expect(side(diff, '+')).toEqual(before);
    expect(side(diff, '-')).toEqual(after);
    expect(diff.filter((l) => l.op === ' ')).toEqual([{ op: ' ', text: 'same 0' }]);
  });
});
