import { describe, expect, it } from '@jest/globals';
import { globMatch } from '../../src/internal/glob-match.js';

describe('globMatch', () => {
  it.each([
    ['*.md', 'todo.md', true],
    ['*.md', 'TODO.MD', true],
    ['*.md', 'todo.mdx', false],
    ['to?o.*', 'todo.md', true],
    ['to?o.*', 'tooo', false],
    ['*', '', true],
    ['', '', true],
    ['', 'a', false],
    ['a*b*c', 'axxbyyc', true],
    ['a*b*c', 'axxbyy', false],
    ['**x', 'x', true],
  ])('%j against %j is %s', (pattern, name, expected) => {
    expect(globMatch(pattern, name)).toBe(expected);
  });

  it('answers patterns built to backtrack exponentially (a regular expression would not return)', () => {
    expect(globMatch(`${'*a'.repeat(50)}*b`, 'a'.repeat(255))).toBe(false);
  });
});
