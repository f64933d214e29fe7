// Runs scenarios of the official MCP conformance suite (@modelcontextprotocol/conformance) against
// the files-mcp example in development mode, offline. The suite's server runner sends no token,
// so a loopback proxy in front adds one (every scope) to requests that carry none, and passes
// every other header through unchanged: Origin and Host reach the server as the suite sent them.
//
//   node scripts/mcp-conformance.mjs <node-22-binary> <suite-entry.js> [scenario ...]
//
// The suite needs Node 22 or later (.ci/run installs it and the suite from the npm registry);
// this script runs on the workspace's Node, after `pnpm build`.
import { spawn } from 'node:child_process';
import { createServer, request } from 'node:http';
import { URL } from 'node:url';
import { loadConfig } from '../examples/files-mcp/dist/config.js';
import { startFilesServer } from '../examples/files-mcp/dist/server.js';

const [node, suite, ...asked] = process.argv.slice(2);
if (node === undefined || suite === undefined) {
  console.error('usage: node scripts/mcp-conformance.mjs <node-22-binary> <suite-entry.js> [scenario ...]');
  process.exit(2);
}
const scenarios = asked.length > 0 ? asked : ['dns-rebinding-protection', 'server-initialize', 'ping'];

/** A port that was free a moment ago: the resource URL names its port, so it is chosen first. */
async function freePort() {
  const probe = createServer();
  await new Promise((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address();
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

const files = await startFilesServer(loadConfig({ PORT: String(await freePort()) }), {
  log: () => undefined,
});
const target = new URL(files.url);
const token = await files.parts.devAuthorizationServer.clientCredentialsToken({
  resource: files.url,
  scope: 'files:read files:write files:delete files:admin',
});

const proxy = createServer((req, res) => {
  const headers = { ...req.headers };
  headers.authorization ??= `Bearer ${token}`;
  const upstream = request(
    { host: target.hostname, port: target.port, method: req.method, path: req.url, headers },
    (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    },
  );
  upstream.on('error', () => res.destroy());
  req.pipe(upstream);
});
await new Promise((resolve) => proxy.listen(0, '127.0.0.1', resolve));
const url = `http://127.0.0.1:${proxy.address().port}${target.pathname}`;

let failed = 0;
for (const scenario of scenarios) {
  const code = await new Promise((resolve) => {
    const run = spawn(node, [suite, 'server', '--url', url, '--scenario', scenario], { stdio: 'inherit' });
    run.on('exit', (exit) => resolve(exit ?? 1));
  });
  console.log(`conformance ${scenario}: ${code === 0 ? 'passed' : `failed (exit ${code})`}`);
  if (code !== 0) failed++;
}
proxy.close();
await files.close();
process.exit(failed === 0 ? 0 : 1);
