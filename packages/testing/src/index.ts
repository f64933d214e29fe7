export { createTestIssuer } from './test-issuer.js';
export type { EndpointOutage, TestIssuerAlgorithm } from './test-issuer-types.js';
export type { MintOptions, TestIssuer, TestIssuerOptions, TestIssuerRequests } from './test-issuer.js';
export { startDevAuthorizationServer } from './dev-authorization-server.js';
export type { DevClient, DevResource } from './dev-registrations.js';
export type { DevAuthorizationServer, DevAuthorizationServerRequests } from './dev-authorization-server.js';
export type {
  AuthorizationCodeTokenOptions,
  ClientCredentialsTokenOptions,
  DevAuthorizationServerOptions,
  ExchangeTokenOptions,
  ExchangeTokenRequest,
} from './dev-authorization-server-options.js';
export { authorizeHeadless } from './authorize-headless.js';
export type { AuthorizeHeadlessOptions, HeadlessAuthorization } from './authorize-headless.js';
export { connectWithOAuth, headlessOAuthProvider } from './mcp-oauth-client.js';
export type {
  ConnectWithOAuthOptions,
  HeadlessOAuthProvider,
  HeadlessOAuthProviderOptions,
  OAuthMcpConnection,
} from './mcp-oauth-client.js';
export { startRedis, type RedisServer, type StartRedisOptions } from './redis-server.js';
export { checkStateStore, type CheckStateStoreOptions, type CheckedStateStore } from './check-state-store.js';
export { createDpopKey } from './dpop-key.js';
export type { DpopKey, DpopProofInit } from './dpop-key.js';
export { dpopFetch } from './dpop-fetch.js';
export type { DpopFetch, DpopFetchOptions } from './dpop-fetch.js';
