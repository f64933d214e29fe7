import 'reflect-metadata';
import { isValetError } from '@valet/core';
import { loadConfig } from './config.js';
import { startFilesServer } from './server.js';

try {
  const server = await startFilesServer(loadConfig(process.env));
  const stop = () => void server.close().then(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
} catch (error) {
  // Configuration mistakes name the variable; say that, without a stack trace.
  console.error(isValetError(error) ? `files-mcp: ${error.message}` : error);
  process.exit(1);
}
