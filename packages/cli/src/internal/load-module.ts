import 'reflect-metadata';
import { statSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { CliError } from './cli-error.js';

/** One export of a loaded module. */
export interface ModuleExport {
  /** The path as the user gave it, for messages. */
  readonly module: string;
  readonly name: string;
  readonly value: unknown;
}

/**
 * Imports the module at `path` (relative to `cwd`) and lists its exports. `reflect-metadata`
 * is loaded first, so decorator metadata (`design:paramtypes`) is recorded while the module's
 * classes are defined. A missing file, a directory, or a module that throws while loading is
 * a {@link CliError}.
 */
export async function loadModule(path: string, cwd: string): Promise<readonly ModuleExport[]> {
  const absolute = resolve(cwd, path);
  const stat = statSync(absolute, { throwIfNoEntry: false });
  if (stat === undefined) {
    throw new CliError(`Cannot find module ${path} (looked for ${absolute}).`, {
      hint: 'Give the path of the built .js file, e.g. dist/server.js, and build first.',
    });
  }
  if (!stat.isFile()) {
    throw new CliError(`${path} is a directory; give the built .js file that exports the toolsets.`);
  }
  let namespace: Record<string, unknown>;
  try {
    namespace = (await import(pathToFileURL(absolute).href)) as Record<string, unknown>;
  } catch (error) {
    throw new CliError(`Loading ${path} failed: ${messageOf(error)}`, { cause: error });
  }
  return Object.keys(namespace).map((name) => ({ module: path, name, value: namespace[name] }));
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
