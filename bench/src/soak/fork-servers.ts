/**
 * The soak's side of the server process (server-process.ts): forks it with `--expose-gc`, passes
 * every line it logs to `log` (its stdout: the servers' audit events and unexpected errors) or
 * prints it here (its stderr), and turns its IPC messages into promises.
 */
import { fork } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { Ask, Reading, Ready } from './server-process.js';
import type { LogLine, SoakTarget } from './servers.js';

/** The running server process. */
export interface ServerProcess {
  readonly targets: readonly SoakTarget[];
  /** `checkpoint` (memory after a full GC) or `sample` (without one). */
  read(what: Exclude<Ask, 'close'>): Promise<Reading>;
  /** Closes the servers and waits for the process to exit and its output to be read. */
  close(): Promise<void>;
}

/** Forks the server process against the issuer and waits until its servers listen. */
export async function forkServers(issuer: string, jwksUri: string, log: LogLine): Promise<ServerProcess> {
  const child = fork(fileURLToPath(new URL('./server-process.js', import.meta.url)), [issuer, jwksUri], {
    execArgv: ['--expose-gc'],
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  const exited = once(child, 'exit');
  const output = [
    createInterface({ input: child.stdout! }).on('line', log),
    createInterface({ input: child.stderr! }).on('line', (line) => console.error(line)),
  ].map((reader) => once(reader, 'close'));
  const { targets } = await new Promise<Ready>((resolve, reject) => {
    child.once('message', resolve);
    child.once('exit', (code) =>
      reject(new Error(`the server process exited (${code}) before it was ready`)),
    );
  });
  // It answers every Ask in order, with a Reading.
  const pending: { resolve: (reading: Reading) => void; reject: (error: Error) => void }[] = [];
  child.on('message', (reading: Reading) => pending.shift()?.resolve(reading));
  child.on('exit', (code) => {
    for (const p of pending.splice(0)) p.reject(new Error(`the server process exited (${code})`));
  });
  const ask = (what: Ask) =>
    new Promise<Reading>((resolve, reject) => {
      pending.push({ resolve, reject });
      child.send(what);
    });
  return {
    targets,
    read: ask,
    async close() {
      await ask('close');
      await Promise.all([exited, ...output]);
    },
  };
}
