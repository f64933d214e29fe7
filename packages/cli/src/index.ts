export * from './cli-io.js';
export * from './run.js';
export * from './commands/manifest.js';
