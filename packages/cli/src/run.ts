import { isValetError } from '@valet/core';
import type { CliIo } from './cli-io.js';
import { INIT_HELP, initCommand } from './commands/init.js';
import { MANIFEST_HELP, manifestCommand } from './commands/manifest.js';
import { CliError, EXIT_ERROR, EXIT_OK } from './internal/cli-error.js';

/** `valet --help`. */
export const HELP = `Usage: valet <command> [options]

Commands:
  init [dir]            Create a new MCP server project protected by Valet, with a test.
  manifest <module...>  Write the scope manifest of the toolsets or policy registry a module
                        exports (JSON, Markdown or HTML), or check a committed one (--check).

Options:
  -h, --help            Show this help. "valet <command> --help" shows a command's options.

Exit status: 0 done, 1 stale manifest (manifest --check), 2 error.
`;

const COMMANDS: Readonly<Record<string, (args: readonly string[], io: CliIo) => Promise<number>>> = {
  manifest: manifestCommand,
  init: initCommand,
};

/**
 * Runs the `valet` command line with `argv` (the arguments after `valet`) and resolves to the
 * exit status: 0 done (or up to date), 1 a stale or missing manifest under `--check`, 2 an error.
 * Errors are written to `io.stderr` as one message (a stack trace only with `--verbose`); it
 * never rejects and never exits the process.
 *
 * @example
 * ```ts
 * process.exitCode = await run(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr });
 * ```
 */
export async function run(argv: readonly string[], io: CliIo): Promise<number> {
  const [command, ...rest] = argv;
  try {
    if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
      const topic = command === 'help' ? rest[0] : undefined;
      io.stdout.write(topic === 'manifest' ? MANIFEST_HELP : topic === 'init' ? INIT_HELP : HELP);
      return EXIT_OK;
    }
    const handler = Object.hasOwn(COMMANDS, command) ? COMMANDS[command] : undefined;
    if (handler === undefined) {
      throw new CliError(
        command.startsWith('-') ? `Unknown option ${command}.` : `Unknown command "${command}".`,
        { hint: 'Run "valet --help" for the commands.' },
      );
    }
    return await handler(rest, io);
  } catch (error) {
    io.stderr.write(report(error, command, argv.includes('--verbose')));
    return EXIT_ERROR;
  }
}

function report(error: unknown, command: string | undefined, verbose: boolean): string {
  const lines: string[] = [];
  if (error instanceof CliError || isValetError(error)) {
    lines.push(`valet: ${error.message}`);
    if (error instanceof CliError && error.hint !== undefined) lines.push(error.hint);
  } else if (isParseArgsError(error)) {
    const option = /'(-[^']*)'/.exec(error.message)?.[1];
    lines.push(
      `valet: ${
        error.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' && option !== undefined
          ? `Unknown option ${option}.`
          : error.message
      }`,
      `Run "valet ${command} --help" for the options.`,
    );
  } else if (isSystemError(error)) {
    lines.push(`valet: ${error.message}`);
  } else {
    lines.push(`valet: unexpected error: ${isError(error) ? error.message : String(error)}`);
    if (!verbose) lines.push('Run again with --verbose for the stack trace.');
  }
  if (verbose) lines.push(stackOf(error));
  return `${lines.join('\n')}\n`;
}

function stackOf(error: unknown): string {
  const parts: string[] = [];
  for (let e: unknown = error; e !== undefined; e = isError(e) ? e.cause : undefined) {
    parts.push(isError(e) ? (e.stack ?? e.message) : String(e));
  }
  return parts.join('\nCaused by: ');
}

/** Like `instanceof Error`, but also true for errors made in another realm (a vm context, as under Jest). */
function isError(value: unknown): value is Error {
  return typeof value === 'object' && value !== null && typeof (value as Error).message === 'string';
}

/** A failed file operation (`ENOENT`, `EACCES`, `ENOTDIR`, ...): its message names the path and the cause. */
function isSystemError(error: unknown): error is NodeJS.ErrnoException {
  const code = (error as { code?: unknown } | null)?.code;
  return (
    isError(error) && typeof (error as NodeJS.ErrnoException).syscall === 'string' && typeof code === 'string'
  );
}

/** An error of `node:util` parseArgs: an unknown option, a missing value, ... */
function isParseArgsError(error: unknown): error is Error & { code: string } {
  const code = (error as { code?: unknown } | null)?.code;
  return isError(error) && typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS_');
}
