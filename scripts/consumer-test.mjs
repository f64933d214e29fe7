#!/usr/bin/env node
// Installs Valet the way a user outside this repository does, and checks that it works there:
// packs every package (scripts/pack-all.mjs), npm-installs the tarballs into a fresh project in a
// temp dir outside the workspace, compiles scripts/consumer-test/server.ts with the tsconfig the
// README documents (strict, NodeNext, experimentalDecorators, emitDecoratorMetadata), starts it on
// 127.0.0.1 and checks its MCP endpoint and Express route over HTTP, then require()s the packages
// from a CommonJS script. Last, the installed `valet init` scaffolds a project on the same tarballs
// in another temp dir, whose `npm install`, `npm test` and `npm run manifest` must pass. Needs
// Node, npm, pnpm and the npm registry.
//
//   node scripts/consumer-test.mjs [--no-build] [--keep] [--typescript SPEC]
//
//   --no-build         pack the dist/ already built (CI has just run `pnpm build`)
//   --keep             leave the temp projects in place (their paths are printed)
//   --typescript SPEC  the consumer's TypeScript (default: the workspace's, e.g. `latest` for 7)
/* global fetch, performance, setTimeout, clearTimeout */
import { execFileSync, spawn } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { packAll } from './pack-all.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const fixture = path.join(root, 'scripts', 'consumer-test');
const args = process.argv.slice(2);
const started = performance.now();
const passed = [];

class CheckFailed extends Error {}

function option(name) {
  const index = args.indexOf(name);
  return index === -1 ? undefined : args[index + 1];
}

function check(name, condition, detail) {
  if (!condition) throw new CheckFailed(`${name}: ${detail}`);
  passed.push(name);
}

function step(message) {
  process.stderr.write(`consumer-test: ${message}\n`);
}

function sh(command, commandArgs, cwd) {
  try {
    return execFileSync(command, commandArgs, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (error) {
    throw new CheckFailed(
      `\`${command} ${commandArgs.join(' ')}\` failed in ${cwd}:\n${error.stdout ?? ''}${error.stderr ?? ''}`,
    );
  }
}

/** What the consumer installs besides the tarballs, at the versions the packages declare. */
function consumerDependencies() {
  const read = (file) => JSON.parse(readFileSync(path.join(root, file), 'utf8'));
  const adapters = read('packages/adapters/package.json');
  const workspace = read('package.json');
  return [
    `typescript@${option('--typescript') ?? workspace.devDependencies.typescript}`,
    '@types/node@^20.19.0',
    'express@^5',
    '@types/express@^5',
    `@modelcontextprotocol/sdk@${adapters.peerDependencies['@modelcontextprotocol/sdk']}`,
    'reflect-metadata@^0.2.2',
    'class-validator@^0.15.1',
  ];
}

/** Starts the compiled server; resolves to its first stdout line (JSON) and the child. */
function startServer(cwd) {
  const child = spawn(process.execPath, ['dist/server.js'], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => fail(new CheckFailed(`the server did not start within 20 s:\n${stderr}`)),
      20_000,
    );
    const fail = (error) => {
      clearTimeout(timer);
      child.kill();
      reject(error);
    };
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
      const newline = stdout.indexOf('\n');
      if (newline === -1) return;
      clearTimeout(timer);
      try {
        resolve({ child, info: JSON.parse(stdout.slice(0, newline)) });
      } catch {
        fail(new CheckFailed(`the server printed something other than its JSON line:\n${stdout}${stderr}`));
      }
    });
    child.once('exit', (code) =>
      fail(new CheckFailed(`the server exited with code ${code}:\n${stdout}${stderr}`)),
    );
  });
}

let nextId = 1;
/** One JSON-RPC request to the MCP endpoint, as a Streamable HTTP client sends it. */
async function mcpRequest(url, token, method, params) {
  const response = await fetch(url, {
    method: 'POST',
    headers: {
      accept: 'application/json, text/event-stream',
      'content-type': 'application/json',
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    body: JSON.stringify({ jsonrpc: '2.0', id: nextId++, method, params }),
  });
  const text = await response.text();
  // The SDK answers as JSON or as one server-sent event, depending on its transport settings.
  const data = text.startsWith('{')
    ? text
    : text
        .split('\n')
        .find((line) => line.startsWith('data: '))
        ?.slice(6);
  let message;
  try {
    message = data ? JSON.parse(data) : undefined;
  } catch {
    message = undefined;
  }
  return {
    status: response.status,
    challenge: response.headers.get('www-authenticate') ?? '',
    message,
    text,
  };
}

async function httpRequest(url, token, method = 'GET', body) {
  const response = await fetch(url, {
    method,
    headers: {
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(body ? { 'content-type': 'application/json' } : {}),
    },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  return {
    status: response.status,
    challenge: response.headers.get('www-authenticate') ?? '',
    text: await response.text(),
  };
}

async function checkServer({ base, mcp, readToken }) {
  const noToken = await mcpRequest(mcp, undefined, 'tools/list', {});
  check('mcp: no token is 401', noToken.status === 401, `got ${noToken.status} ${noToken.text}`);
  check(
    'mcp: 401 challenge names resource_metadata',
    /resource_metadata="[^"]+"/.test(noToken.challenge),
    `WWW-Authenticate: ${noToken.challenge}`,
  );

  const list = await mcpRequest(mcp, readToken, 'tools/list', {});
  const names = (list.message?.result?.tools ?? []).map((tool) => tool.name).sort();
  check('mcp: tools/list with notes:read is 200', list.status === 200, `got ${list.status} ${list.text}`);
  check(
    'mcp: notes:read lists only the read tools',
    names.join(',') === 'list_notes,read_note',
    `listed [${names.join(', ')}], expected [list_notes, read_note]`,
  );

  const write = await mcpRequest(mcp, readToken, 'tools/call', {
    name: 'add_note',
    arguments: { name: 'x', text: 'y' },
  });
  check('mcp: add_note with notes:read is 403', write.status === 403, `got ${write.status} ${write.text}`);
  check(
    'mcp: 403 challenge is insufficient_scope for notes:write',
    /error="insufficient_scope"/.test(write.challenge) &&
      /scope="[^"]*notes:write[^"]*"/.test(write.challenge),
    `WWW-Authenticate: ${write.challenge}`,
  );

  const read = await mcpRequest(mcp, readToken, 'tools/call', {
    name: 'read_note',
    arguments: { name: 'welcome' },
  });
  const content = read.message?.result?.content?.[0]?.text;
  check('mcp: read_note with notes:read succeeds', read.status === 200, `got ${read.status} ${read.text}`);
  check(
    'mcp: read_note returns the note',
    read.message?.result?.isError !== true && content === 'Hello from Valet',
    `result ${JSON.stringify(read.message)}`,
  );

  const notesUrl = `${base}/api/notes`;
  const anonymous = await httpRequest(notesUrl);
  check('express: no token is 401', anonymous.status === 401, `got ${anonymous.status} ${anonymous.text}`);
  check(
    'express: 401 challenge names resource_metadata',
    /resource_metadata="[^"]+"/.test(anonymous.challenge),
    `WWW-Authenticate: ${anonymous.challenge}`,
  );
  const post = await httpRequest(notesUrl, readToken, 'POST', { name: 'x', text: 'y' });
  check('express: POST with notes:read is 403', post.status === 403, `got ${post.status} ${post.text}`);
  check(
    'express: 403 challenge is insufficient_scope for notes:write',
    /error="insufficient_scope"/.test(post.challenge) && /scope="[^"]*notes:write[^"]*"/.test(post.challenge),
    `WWW-Authenticate: ${post.challenge}`,
  );
  const get = await httpRequest(notesUrl, readToken);
  check('express: GET with notes:read is 200', get.status === 200, `got ${get.status} ${get.text}`);
  check('express: GET answers for the caller', JSON.parse(get.text).caller === 'alice', `body ${get.text}`);
}

/**
 * `valet init`, from the installed CLI, scaffolds a project on the same tarballs (`--from`) in a
 * fresh folder; its own `npm install`, `npm test` (the server over HTTP: 401, filtered list, 403,
 * allowed call) and `npm run manifest` (the committed manifest is up to date) pass there.
 */
async function checkInit(project, packs) {
  const parent = mkdtempSync(path.join(tmpdir(), 'valet-init-'));
  const dir = path.join(parent, 'my-server');
  try {
    step(`valet init ${dir} --from ${packs}`);
    const valet = path.join(project, 'node_modules', '.bin', 'valet');
    const created = sh(process.execPath, [valet, 'init', 'my-server', '--from', packs], parent);
    check('valet init creates the project', created.includes('Next steps:'), created);
    step('npm install, npm test and npm run manifest in the new project');
    sh('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error'], dir);
    const test = sh('npm', ['test'], dir);
    check('init: npm test passes', /^# pass 4$/m.test(test) && /^# fail 0$/m.test(test), test);
    const manifest = sh('npm', ['run', 'manifest'], dir);
    check('init: the committed manifest is up to date', manifest.includes('is up to date'), manifest);
  } finally {
    if (args.includes('--keep')) step(`kept ${dir}`);
    else rmSync(parent, { recursive: true, force: true });
  }
}

async function main() {
  step('packing every package (pnpm pack:all)');
  const tarballs = packAll(args.includes('--no-build') ? ['--no-build'] : []);
  passed.push(`packed ${tarballs.length} packages`);

  const project = mkdtempSync(path.join(tmpdir(), 'valet-consumer-'));
  try {
    writeFileSync(
      path.join(project, 'package.json'),
      `${JSON.stringify({ name: 'valet-consumer', private: true, type: 'module' }, null, 2)}\n`,
    );
    for (const file of ['server.ts', 'require-core.cjs', 'tsconfig.json']) {
      copyFileSync(path.join(fixture, file), path.join(project, file));
    }

    step(`npm install into ${project}`);
    sh(
      'npm',
      ['install', '--no-audit', '--no-fund', '--loglevel=error', ...tarballs, ...consumerDependencies()],
      project,
    );
    passed.push('npm install');

    step('tsc (strict, NodeNext, decorators)');
    sh(
      process.execPath,
      [path.join(project, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.json'],
      project,
    );
    passed.push('tsc');

    const output = sh(process.execPath, ['require-core.cjs'], project);
    check('require(@valet/core) from CommonJS', output.includes('require(@valet/core) ok'), output);
    const help = sh(
      process.execPath,
      [path.join(project, 'node_modules', '.bin', 'valet'), '--help'],
      project,
    );
    check('the valet bin runs', help.includes('manifest'), help);

    step('starting the server and checking it over HTTP');
    const { child, info } = await startServer(project);
    try {
      await checkServer(info);
    } finally {
      child.kill('SIGTERM');
    }

    await checkInit(project, path.dirname(tarballs[0]));
  } finally {
    if (args.includes('--keep')) step(`kept ${project}`);
    else rmSync(project, { recursive: true, force: true });
  }
}

try {
  await main();
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  console.log(`consumer test: ${passed.length} checks passed in ${seconds} s`);
} catch (error) {
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  console.error(`consumer test FAILED after ${passed.length} checks passed (${seconds} s):`);
  console.error(error instanceof CheckFailed ? error.message : error);
  process.exit(1);
}
