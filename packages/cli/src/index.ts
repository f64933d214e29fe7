export type { CliIo, CliStream } from './cli-io.js';
export { HELP, run } from './run.js';
export { MANIFEST_HELP, manifestCommand } from './commands/manifest.js';
export type { ManifestFormat } from './commands/manifest.js';
export { INIT_HELP, initCommand } from './commands/init.js';
