// Runs scenarios of the official MCP conformance suite (@modelcontextprotocol/conformance) against
// the files-mcp example in development mode, offline, once per MCP SDK the example serves on: the
// default (SDK v1, `@valet/adapters/mcp`) and `VALET_MCP_SDK=v2` (`@valet/adapters/mcp-v2`). The
// suite's server runner sends no token, so a loopback proxy in front adds one (every scope) to
// requests that carry none, and passes every other header through unchanged: Origin and Host
// reach the server as the suite sent them.
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
import { freePort } from '../examples/files-mcp/dist/free-port.js';

const [node, suite, ...asked] = process.argv.slice(2);
if (node === undefined || suite === undefined) {
  console.error('usage: node scripts/mcp-conformance.mjs <node-22-binary> <suite-entry.js> [scenario ...]');
  process.exit(2);
}
const scenarios = asked.length > 0 ? asked : ['dns-rebinding-protection', 'server-initialize', 'ping'];

/** The example's configurations, one per SDK: the default (v1), and what selects v2. */
const CONFIGS = [{}, { VALET_MCP_SDK: 'v2' }];

/** Starts files-mcp with `config`, and the token-adding proxy in front; resolves to the proxied endpoint. */
async function startBehindProxy(config) {
  // Its one start-up line names the SDK the endpoint runs on.
  const files = await startFilesServer(config, { log: (line) => console.log(line) });
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
  return {
    url: `http://127.0.0.1:${proxy.address().port}${target.pathname}`,
    async close() {
      await new Promise((resolve) => proxy.close(resolve));
      await files.close();
    },
  };
}

/** Runs one scenario of the suite against `url`; resolves to the suite's exit code. */
function runScenario(url, scenario) {
  return new Promise((resolve) => {
    const run = spawn(node, [suite, 'server', '--url', url, '--scenario', scenario], { stdio: 'inherit' });
    run.on('exit', (exit) => resolve(exit ?? 1));
  });
}

const results = [];
for (const env of CONFIGS) {
  const config = loadConfig({ PORT: String(await freePort()), ...env });
  const sdk = `SDK ${config.mcpSdk}`;
  const server = await startBehindProxy(config);
  try {
    for (const scenario of scenarios) {
      const code = await runScenario(server.url, scenario);
      const result = code === 0 ? 'passed' : `failed (exit ${code})`;
      console.log(`conformance [${sdk}] ${scenario}: ${result}`);
      results.push({ sdk, scenario, result });
    }
  } finally {
    await server.close();
  }
}

console.log('conformance summary:');
for (const { sdk, scenario, result } of results) console.log(`  [${sdk}] ${scenario}: ${result}`);
process.exit(results.every(({ result }) => result === 'passed') ? 0 : 1);
