import { constants } from 'node:os';

/**
 * Stops the process cleanly on SIGINT (Ctrl-C) and SIGTERM (`kill`, `docker stop`, systemd):
 * the first signal runs `stop` (close the servers, remove a temporary sandbox), then exits 0, or
 * 1 when `stop` fails; a second signal exits at once (130 or 143), as an impatient Ctrl-C expects.
 *
 * Install it before starting anything: a signal that arrives during start-up then waits for it
 * and cleans up, instead of killing the process with its temporary sandbox left behind.
 *
 * @example
 * ```ts
 * const starting = startFilesServer(config);
 * stopOnSignals(async () => (await starting).close());
 * ```
 */
export function stopOnSignals(stop: () => Promise<void>): void {
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) process.exit(128 + constants.signals[signal]);
    stopping = true;
    stop().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error(`files-mcp: could not shut down cleanly on ${signal}:`, error);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
}
