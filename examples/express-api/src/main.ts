import { createServer } from 'node:http';
import { PolicyRegistry, createValet, isValetError, oidc, type IdpPreset } from '@valet/core';
import { startDevAuthorizationServer, type DevAuthorizationServer } from '@valet/testing';
import { createApp } from './app.js';
import { loadConfig } from './config.js';
import { createFileStore } from './file-store.js';
import { scopes } from './scopes.js';

let devServer: DevAuthorizationServer | undefined;
try {
  const config = loadConfig(process.env);
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
  const app = createApp({
    valet,
    store: createFileStore({ 'welcome.txt': 'Hello from the Valet Express example.\n' }),
  });
  const server = createServer(app);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, resolve);
  });
  const url = `http://${config.host}:${config.port}`;
  console.log(`Files API (Express) listening on ${url}; resource metadata at ${valet.metadataUrl.href}.`);
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
  const stop = () => {
    server.closeAllConnections();
    server.close(() => void (devServer?.close() ?? Promise.resolve()).then(() => process.exit(0)));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
} catch (error) {
  await devServer?.close();
  // Configuration mistakes name the variable; say that, without a stack trace.
  console.error(isValetError(error) ? `express-api: ${error.message}` : error);
  process.exit(1);
}
