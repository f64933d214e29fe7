import 'reflect-metadata';
import { beforeAll, describe, expect, it } from '@jest/globals';
import { runDemo, type DemoResult } from '../src/demo.js';

describe('decorated-tools example', () => {
  let lines: string[];
  let result: DemoResult;

  beforeAll(async () => {
    lines = [];
    result = await runDemo((line) => lines.push(line));
  });

  function outcome(caller: string, tool: string, nth = 0) {
    return result.outcomes.filter((o) => o.caller === caller && o.tool === tool)[nth];
  }

  it('lets the read-only token list and read, and refuses it writing with the scope to ask for', () => {
    expect(outcome('read-only', 'list_files')).toMatchObject({
      outcome: 'allowed',
      result: ['/notes/todo.txt'],
    });
    expect(outcome('read-only', 'read_file')).toMatchObject({ outcome: 'allowed', result: 'buy milk' });
    expect(outcome('read-only', 'write_file')).toMatchObject({
      outcome: 'refused',
      status: 403,
      missing: ['files:write'],
      reason:
        'Tool "write_file" requires files:read and files:write; the token grants "files:read", missing "files:write".',
    });
    expect(outcome('read-only', 'write_file')!.challenge).toContain('scope="files:read files:write"');
  });

  it('lets the read-write token write and read (files:write implies files:read) but not delete', () => {
    expect(outcome('read-write', 'write_file')).toMatchObject({
      outcome: 'allowed',
      result: 'Wrote 7 characters to /notes/plan.txt.',
    });
    expect(outcome('read-write', 'read_file')).toMatchObject({ outcome: 'allowed', result: 'ship it' });
    expect(outcome('read-write', 'delete_file')).toMatchObject({
      outcome: 'refused',
      status: 403,
      missing: ['files:delete'],
    });
  });

  it('refuses invalid input from an authorized caller, listing every violation', () => {
    expect(outcome('read-write', 'write_file', 1)).toEqual({
      caller: 'read-write',
      tool: 'write_file',
      outcome: 'invalid',
      status: 400,
      violations: [
        { path: 'mode', constraint: 'whitelistValidation', message: 'should not exist' },
        {
          path: 'content',
          constraint: 'maxLength',
          message: 'must be shorter than or equal to 10000 characters',
        },
        { path: 'content', constraint: 'isString', message: 'must be a string' },
        {
          path: 'path',
          constraint: 'matches',
          message: 'must be an absolute path like /notes/todo.txt, without "." or ".." segments',
        },
      ],
    });
  });

  it('answers a call without a token with 401 and the scope to ask for', () => {
    expect(outcome('anonymous', 'read_file')).toMatchObject({
      outcome: 'refused',
      status: 401,
      challenge: 'Bearer scope="files:read"',
    });
  });

  it('prints each decision readably, then the scope manifest', () => {
    const text = lines.join('\n');
    expect(text).toContain(
      'read-only  write_file({"path":"/notes/plan.txt","content":"ship it"})\n    refused (403)',
    );
    expect(text).toContain('    missing scopes: files:delete');
    expect(text).toContain('      - mode: should not exist');
    expect(result.manifest).toContain(
      '| write\\_file | files:read and files:write | Create or replace a file |',
    );
    expect(text.endsWith(result.manifest)).toBe(true);
  });
});
