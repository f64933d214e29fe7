import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run } from '../src/index.js';

/** The fixture modules, by absolute path. */
export const fixture = (name: string): string => join(__dirname, 'fixtures', `${name}.ts`);

/** A fresh empty directory. */
export const tempDir = (): string => mkdtempSync(join(tmpdir(), 'valet-cli-'));

/** What one run of the CLI did. */
export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the CLI in process with `args`, capturing its output; paths are relative to `cwd`. */
export async function cli(args: readonly string[], cwd: string = tempDir()): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  const code = await run(args, {
    stdout: { write: (text: string) => (stdout += text) },
    stderr: { write: (text: string) => (stderr += text) },
    cwd,
  });
  return { code, stdout, stderr };
}
