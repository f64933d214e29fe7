import 'reflect-metadata';
import { isValetError } from '@valet/core';
import { loadConfig } from './config.js';
import { startFilesServer, type RunningFilesServer } from './server.js';
import { stopOnSignals } from './stop-on-signals.js';

let starting: Promise<RunningFilesServer> | undefined;
// Before starting: a signal during start-up still closes what was started. A start that failed
// has cleaned up after itself (and is reported below).
stopOnSignals(async () => {
  const server = await starting?.catch(() => undefined);
  await server?.close();
});
try {
  starting = startFilesServer(loadConfig(process.env));
  await starting;
} catch (error) {
  // Configuration mistakes name the variable; say that, without a stack trace.
  console.error(isValetError(error) ? `files-mcp: ${error.message}` : error);
  process.exit(1);
}
