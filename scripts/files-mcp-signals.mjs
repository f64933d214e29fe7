// Checks that files-mcp shuts down cleanly on SIGTERM and SIGINT: the built server
// (examples/files-mcp/dist/main.js), once serving and while starting, and the demo left running
// (`demo-main.js --keep-running`) each get the signal, must exit 0 and must have removed their
// temporary sandbox (the directory the "Files: a temporary sandbox ... at <path>" line names).
//
//   node scripts/files-mcp-signals.mjs [node-binary]
//
// Run after `pnpm build`; the node binary defaults to the one running this script.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { clearTimeout, setTimeout } from 'node:timers';
import { URL, fileURLToPath } from 'node:url';
import { freePort } from '../examples/files-mcp/dist/free-port.js';

const node = process.argv[2] ?? process.execPath;
const dist = fileURLToPath(new URL('../examples/files-mcp/dist/', import.meta.url));
const SANDBOX = /temporary sandbox with sample files at (\S+) \(/;

/** Starts `args`, waits for `ready` in its output, sends `signal`; resolves to what happened. */
function runUntil(args, env, ready, signal) {
  return new Promise((resolve, reject) => {
    const child = spawn(node, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    let sandbox;
    let signalled = false;
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${args.join(' ')}: not ready after 60 s. Output:\n${output}`));
    }, 60_000);
    const read = (chunk) => {
      output += chunk;
      sandbox ??= SANDBOX.exec(output)?.[1];
      if (!signalled && ready.test(output)) {
        signalled = true;
        child.kill(signal);
      }
    };
    child.stdout.on('data', read);
    child.stderr.on('data', read);
    child.on('exit', (code, bySignal) => {
      clearTimeout(timer);
      resolve({ code, bySignal, sandbox, output, signalled });
    });
  });
}

const cases = [
  { name: 'main.js', args: [`${dist}main.js`], ready: /MCP endpoint .* \(listening on/ },
  // The sandbox exists before the server listens: a signal then must not leave it behind either.
  { name: 'main.js during start-up', args: [`${dist}main.js`], ready: SANDBOX },
  {
    name: 'demo-main.js --keep-running',
    args: [`${dist}demo-main.js`, '--keep-running'],
    ready: /keeps running at/,
  },
];

let failures = 0;
for (const { name, args, ready } of cases) {
  for (const signal of ['SIGTERM', 'SIGINT']) {
    const run = await runUntil(args, { PORT: String(await freePort()) }, ready, signal);
    const problems = [];
    if (!run.signalled) problems.push('it exited before serving');
    if (run.code !== 0) problems.push(`exit ${run.code ?? run.bySignal}, not 0`);
    if (run.sandbox === undefined) problems.push('it printed no temporary sandbox path');
    else if (existsSync(run.sandbox)) problems.push(`its sandbox ${run.sandbox} is still there`);
    console.log(
      `${name} on ${signal}: ${problems.length === 0 ? 'exit 0, sandbox removed' : problems.join('; ')}`,
    );
    if (problems.length > 0) {
      failures++;
      console.log(run.output.replace(/^/gm, '  | '));
    }
  }
}
process.exit(failures === 0 ? 0 : 1);
