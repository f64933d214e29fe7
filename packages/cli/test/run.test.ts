import { describe, expect, it } from '@jest/globals';
import { HELP, MANIFEST_HELP } from '../src/index.js';
import { cli, fixture } from './cli-harness.js';

describe('valet', () => {
  it('prints its help for --help, -h, help and no arguments', async () => {
    for (const args of [['--help'], ['-h'], ['help'], []]) {
      expect(await cli(args)).toEqual({ code: 0, stdout: HELP, stderr: '' });
    }
    expect(HELP).toContain('manifest <module...>');
  });

  it('prints the help of manifest for "manifest --help" and "help manifest"', async () => {
    for (const args of [
      ['manifest', '--help'],
      ['manifest', '-h'],
      ['help', 'manifest'],
    ]) {
      expect(await cli(args)).toEqual({ code: 0, stdout: MANIFEST_HELP, stderr: '' });
    }
    for (const option of ['--format', '--out', '--check', '--export', '--title', '--verbose']) {
      expect(MANIFEST_HELP).toContain(option);
    }
  });

  it('refuses an unknown command or option with exit status 2 and where to look', async () => {
    expect(await cli(['manifets'])).toEqual({
      code: 2,
      stdout: '',
      stderr: 'valet: Unknown command "manifets".\nRun "valet --help" for the commands.\n',
    });
    expect(await cli(['--bogus'])).toEqual({
      code: 2,
      stdout: '',
      stderr: 'valet: Unknown option --bogus.\nRun "valet --help" for the commands.\n',
    });
    expect(await cli(['manifest', fixture('file-toolsets'), '--bogus'])).toEqual({
      code: 2,
      stdout: '',
      stderr: 'valet: Unknown option --bogus.\nRun "valet manifest --help" for the options.\n',
    });
  });

  it('reports an option without its value', async () => {
    const { code, stderr } = await cli(['manifest', fixture('file-toolsets'), '--out']);
    expect(code).toBe(2);
    expect(stderr).toMatch(/^valet: Option '-o, --out <value>' argument missing\n/);
  });

  it('shows the stack trace, down to the cause, only with --verbose', async () => {
    const quiet = await cli(['manifest', fixture('throws-on-load')]);
    expect(quiet.stderr).not.toContain('    at ');
    const verbose = await cli(['manifest', fixture('throws-on-load'), '--verbose']);
    expect(verbose.code).toBe(2);
    expect(verbose.stderr).toMatch(/^valet: Loading .* failed: the database is not configured\nCliError: /);
    expect(verbose.stderr).toMatch(/\nCaused by: Error: the database is not configured\n\s+at /);
  });
});
