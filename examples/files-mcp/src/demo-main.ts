import 'reflect-metadata';
import { runDemo } from './demo.js';

const keepRunning = process.argv.includes('--keep-running');
const result = await runDemo({ keepRunning });
const failed = result.steps.filter((s) => !s.ok);
console.log(
  failed.length === 0
    ? '\nEvery step behaved as expected.'
    : `\n${failed.length} step(s) did not behave as expected.`,
);
if (result.server === undefined) process.exit(failed.length === 0 ? 0 : 1);
process.once('SIGINT', () => void result.server?.close().then(() => process.exit(0)));
