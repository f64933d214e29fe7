import 'reflect-metadata';
import { runDemo } from './demo.js';
import { stopOnSignals } from './stop-on-signals.js';

const keepRunning = process.argv.includes('--keep-running');
const demo = runDemo({ keepRunning });
// Before the walkthrough: a signal during it lets it finish (runDemo then closes the server and
// its sandbox, unless asked to keep them), and one afterwards closes the server left running.
stopOnSignals(async () => {
  const result = await demo.catch(() => undefined);
  await result?.server?.close();
});
const result = await demo;
const failed = result.steps.filter((s) => !s.ok);
console.log(
  failed.length === 0
    ? '\nEvery step behaved as expected.'
    : `\n${failed.length} step(s) did not behave as expected.`,
);
if (result.server === undefined) process.exit(failed.length === 0 ? 0 : 1);
