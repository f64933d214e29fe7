import { createServer } from 'node:http';
import { PolicyRegistry, createValet, isValetError, oidc, type IdpPreset } from '@valet/core';
import { startDevAuthorizationServer, type DevAuthorizationServer } from '@valet/testing';
import type { AppOptions } from './app-options.js';
import { loadConfig, type ApiConfig, type Framework } from './config.js';
import { createExpressApp } from './express-app.js';
import { createFastifyApp } from './fastify-app.js';
import { createFileStore } from './file-store.js';
import { scopes } from './scopes.js';

const NAMES: Readonly<Record<Framework, string>> = { express: 'Express', fastify: 'Fastify' };

/** Serves the app on the configured framework, host and port; resolves to a function that stops it. */
async function serve(config: ApiConfig, options: AppOptions): Promise<() => Promise<void>> {
  if (config.framework === 'fastify') {
    const app = await createFastifyApp(options);
    await app.listen({ port: config.port, host: config.host });
    return () => app.close();
  }
  const server = createServer(createExpressApp(options));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, resolve);
  });
  return () => {
    server.closeAllConnections();
    return new Promise((resolve) => server.close(() => resolve()));
  };
}

let devServer: DevAuthorizationServer | undefined;
try {
  const config = loadConfig(process.argv.slice(2), process.env);
  let idp: IdpPreset;
  if (config.issuer === undefined) {
    devServer = await startDevAuthorizationServer({
      resources: [{ url: config.resource, scopes: scopes.names() }],
    });
    idp = oidc({ issuer: devServer.issuer, audience: config.resource, jwksUri: devServer.jwksUri });
    console.log(
      `DEVELOPMENT ONLY: no VALET_ISSUER set, so an embedded authorization server runs at ${devServer.issuer}.`,
    );
    console.log('  It grants every scope asked for; never use it in production.');
  } else {
    idp = oidc({ issuer: config.issuer, audience: config.resource });
    console.log(`Tokens: issued by ${config.issuer} for ${config.resource}.`);
  }
  const valet = createValet({
    registry: new PolicyRegistry({ catalog: scopes }),
    resource: config.resource,
    idp,
  });
  const name = NAMES[config.framework];
  const stopServer = await serve(config, {
    valet,
    store: createFileStore({ 'welcome.txt': `Hello from the Valet ${name} example.\n` }),
  });
  const url = `http://${config.host}:${config.port}`;
  console.log(`Files API (${name}) listening on ${url}; resource metadata at ${valet.metadataUrl.href}.`);
  console.log('Try:');
  console.log(`  curl -i ${url}/health`);
  console.log(`  curl -i ${url}/files    # 401, the challenge names resource_metadata`);
  if (devServer !== undefined) {
    const token = await devServer.clientCredentialsToken({ resource: config.resource, scope: 'files:read' });
    console.log(`  TOKEN=${token}    # files:read, from the development server`);
    console.log(`  curl -i -H "Authorization: Bearer $TOKEN" ${url}/files/welcome.txt`);
    console.log(
      `  curl -i -X PUT -H "Authorization: Bearer $TOKEN" -H 'content-type: application/json' -d '{"content":"hi"}' ${url}/files/notes.txt    # 403 insufficient_scope, scope="files:write"`,
    );
  } else {
    console.log(
      `  then with a files:read token for ${config.resource}: curl -i -H "Authorization: Bearer $TOKEN" ${url}/files`,
    );
  }
  const stop = () => void Promise.all([stopServer(), devServer?.close()]).then(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
} catch (error) {
  await devServer?.close();
  // Configuration mistakes name the argument or variable; say that, without a stack trace.
  console.error(isValetError(error) ? `rest-api: ${error.message}` : error);
  process.exit(1);
}
