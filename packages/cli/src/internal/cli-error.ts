/** Exit status of a command that ran and found nothing wrong. */
export const EXIT_OK = 0;
/** Exit status of `--check` when the file is stale or missing. */
export const EXIT_STALE = 1;
/** Exit status of a usage error or a failure to build the manifest. */
export const EXIT_ERROR = 2;

/**
 * A failure the CLI explains in one message and exit status 2: a bad argument, a module that
 * cannot be found or exports nothing usable. Never printed with a stack trace.
 */
export class CliError extends Error {
  /** Printed after the message: what to run for help, for usage errors. */
  readonly hint: string | undefined;

  constructor(message: string, options?: { cause?: unknown; hint?: string }) {
    super(message, options);
    this.name = 'CliError';
    this.hint = options?.hint;
  }
}
