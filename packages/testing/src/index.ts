export * from './test-issuer.js';
export * from './dev-authorization-server.js';
export * from './authorize-headless.js';
export * from './mcp-oauth-client.js';
