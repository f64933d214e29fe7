import { createHash, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createLocalJWKSet } from 'jose';
import type Provider from 'oidc-provider';
import { authorizeHeadless } from './authorize-headless.js';
import { autoConsent } from './internal/auto-consent.js';
import { importOidcProvider } from './internal/import-oidc-provider.js';
import {
  providerConfiguration,
  resourceFinder,
  resourceServerInfo,
} from './internal/provider-configuration.js';
import {
  ACCESS_TOKEN_TYPE,
  exchangingClients,
  TOKEN_EXCHANGE_GRANT,
  TOKEN_EXCHANGE_PARAMETERS,
  TOKEN_EXCHANGE_REPEATABLE,
  tokenExchangeGrant,
} from './internal/token-exchange-grant.js';
import { requestToken } from './internal/token-request.js';
import type {
  AuthorizationCodeTokenOptions,
  ClientCredentialsTokenOptions,
  DevAuthorizationServerOptions,
  ExchangeTokenOptions,
} from './dev-authorization-server-options.js';
import type { DevClient } from './dev-registrations.js';

/** Requests a {@link DevAuthorizationServer} received so far, per endpoint. */
export interface DevAuthorizationServerRequests {
  /** At the introspection endpoint (RFC 7662): how often resource servers asked about tokens. */
  readonly introspection: number;
}

/** A running dev authorization server. */
export interface DevAuthorizationServer {
  /** The issuer identifier, `http://127.0.0.1:<port>` (what tokens carry in `iss`). */
  readonly issuer: string;
  /** Base URL (same as the issuer). */
  readonly url: string;
  readonly jwksUri: string;
  readonly authorizationEndpoint: string;
  readonly tokenEndpoint: string;
  readonly introspectionEndpoint: string;
  readonly revocationEndpoint: string;
  readonly registrationEndpoint: string;
  /** The confidential client that always exists (client_credentials, authorization code, introspection). */
  readonly defaultClient: {
    readonly clientId: string;
    readonly clientSecret: string;
    readonly redirectUri: string;
  };
  /**
   * Requests received so far, per endpoint: to test that resource servers cache and share what
   * introspection answers.
   */
  readonly requests: DevAuthorizationServerRequests;
  /**
   * A client_credentials access token for `resource` (RFC 8707), DPoP-bound when `dpop` is given.
   * Rejects with the server's error.
   *
   * @example
   * ```ts
   * const key = await createDpopKey();
   * const token = await as.clientCredentialsToken({ resource, scope: 'files:read', dpop: key });
   * // decodeJwt(token).cnf is { jkt: key.jkt }
   * ```
   */
  clientCredentialsToken(request: ClientCredentialsTokenOptions): Promise<string>;
  /** Runs a full authorization code + PKCE (S256) flow headlessly and returns the access token. */
  authorizationCodeToken(request: AuthorizationCodeTokenOptions): Promise<string>;
  /**
   * Exchanges `subjectToken` for an access token for another resource (RFC 8693 token exchange),
   * as the client acting for the subject token's user: `sub` stays, `aud` is the resource,
   * `client_id` and `act.sub` name the acting client. Rejects with the server's error
   * (`invalid_request`, `invalid_target`, `invalid_scope`, `unauthorized_client`).
   *
   * @example
   * ```ts
   * const user = await as.authorizationCodeToken({ resource: MCP, scope: 'files:read' });
   * const downstream = await as.exchangeToken({ subjectToken: user, resource: API, scope: 'api:read' });
   * // decodeJwt(downstream): { sub: 'dev-user', aud: API, client_id: 'dev-client', act: { sub: 'dev-client' } }
   * ```
   */
  exchangeToken(request: ExchangeTokenOptions): Promise<string>;
  /** Registers a client by dynamic client registration (RFC 7591); returns the server's answer. */
  registerClient(metadata: Readonly<Record<string, unknown>>): Promise<Record<string, unknown>>;
  /** Stops the server and drops its open connections. */
  close(): Promise<void>;
}

const DEFAULT_CLIENT = {
  clientId: 'dev-client',
  clientSecret: 'dev-secret',
  redirectUri: 'http://127.0.0.1/callback',
};
const DEFAULT_DEV_CLIENT: DevClient = { ...DEFAULT_CLIENT, redirectUris: [DEFAULT_CLIENT.redirectUri] };

/**
 * Starts an OAuth 2.1 / OpenID Connect authorization server (panva's oidc-provider) in this
 * process on the loopback interface, for tests and local development. **Not for production**:
 * it signs every user in as one account and grants every requested scope without asking, it
 * keeps state in memory, its keys are made up at start and it speaks plain HTTP, which is why
 * it refuses to bind anywhere but loopback.
 *
 * It issues RFC 9068 JWT access tokens (`typ: at+jwt`, `aud` = the resource, `scope`,
 * `client_id`) via client_credentials and authorization code + PKCE with a resource indicator,
 * and via token exchange (RFC 8693, with an `act` claim naming the acting client), bound to the
 * client's key (`cnf.jkt`) when the token request carries a DPoP proof (RFC 9449),
 * and serves discovery (`/.well-known/openid-configuration` and RFC 8414's
 * `/.well-known/oauth-authorization-server`), JWKS, introspection, revocation and dynamic client
 * registration (what the MCP SDK's client OAuth flow uses).
 *
 * @example
 * ```ts
 * const as = await startDevAuthorizationServer({
 *   resources: [{ url: 'http://127.0.0.1:3000/mcp', scopes: ['files:read', 'files:write'] }],
 * });
 * const token = await as.clientCredentialsToken({ resource: 'http://127.0.0.1:3000/mcp', scope: 'files:read' });
 * await as.close();
 * ```
 */
export async function startDevAuthorizationServer(
  options: DevAuthorizationServerOptions,
): Promise<DevAuthorizationServer> {
  const host = options.host ?? '127.0.0.1';
  if (host !== '127.0.0.1' && host !== 'localhost') {
    throw new Error(
      `startDevAuthorizationServer: host must be "127.0.0.1" or "localhost"; it is for development only.`,
    );
  }
  if (!Array.isArray(options.resources) || options.resources.length === 0) {
    throw new Error('startDevAuthorizationServer: resources must list at least one { url, scopes }.');
  }
  const requireNonce = options.dpop?.requireNonce;
  if (requireNonce !== undefined && typeof requireNonce !== 'boolean') {
    throw new TypeError('startDevAuthorizationServer: dpop.requireNonce must be true or false.');
  }
  const logger = options.logger ?? console;
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const issuer = `http://${host}:${port}`;

  let provider: Provider;
  try {
    provider = await createProvider(issuer, options);
  } catch (error) {
    server.close();
    throw error;
  }
  provider.on('server_error', (_ctx: unknown, error: unknown) =>
    logger.error('dev authorization server error', error),
  );
  const accountId = options.accountId ?? 'dev-user';
  const callback = provider.callback();
  const introspectionPath = provider.pathFor('introspection');
  let introspections = 0;
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path === introspectionPath) introspections++;
    if (path?.startsWith('/interaction/')) {
      autoConsent(provider, accountId, req, res).catch((error: unknown) => {
        logger.error('dev authorization server interaction failed', error);
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
        res.end('interaction failed');
      });
      return;
    }
    if (path === '/.well-known/oauth-authorization-server') req.url = '/.well-known/openid-configuration';
    void callback(req, res);
  });

  const endpoint = (name: string) => new URL(provider.pathFor(name), issuer).href;
  const tokenEndpoint = endpoint('token');
  const clients = new Map([DEFAULT_DEV_CLIENT, ...(options.clients ?? [])].map((c) => [c.clientId, c]));
  return {
    issuer,
    url: issuer,
    jwksUri: endpoint('jwks'),
    authorizationEndpoint: endpoint('authorization'),
    tokenEndpoint,
    introspectionEndpoint: endpoint('introspection'),
    revocationEndpoint: endpoint('revocation'),
    registrationEndpoint: endpoint('registration'),
    defaultClient: DEFAULT_CLIENT,
    get requests() {
      return Object.freeze({ introspection: introspections });
    },
    clientCredentialsToken(request) {
      const clientId = request.clientId ?? DEFAULT_CLIENT.clientId;
      const secret = request.clientSecret ?? clients.get(clientId)?.clientSecret;
      const scope = typeof request.scope === 'string' ? request.scope : request.scope.join(' ');
      const form = { grant_type: 'client_credentials', resource: request.resource, scope };
      return requestToken({ tokenEndpoint, form, clientId, clientSecret: secret, dpop: request.dpop });
    },
    async authorizationCodeToken(request) {
      const clientId = request.clientId ?? DEFAULT_CLIENT.clientId;
      const client = clients.get(clientId);
      const secret = request.clientSecret ?? client?.clientSecret;
      const redirectUri = request.redirectUri ?? client?.redirectUris?.[0] ?? 'http://127.0.0.1/callback';
      const verifier = randomBytes(32).toString('base64url');
      const authorize = new URL(endpoint('authorization'));
      authorize.search = new URLSearchParams({
        response_type: 'code',
        client_id: clientId,
        redirect_uri: redirectUri,
        scope: typeof request.scope === 'string' ? request.scope : request.scope.join(' '),
        resource: request.resource,
        state: randomBytes(8).toString('base64url'),
        code_challenge: createHash('sha256').update(verifier).digest('base64url'),
        code_challenge_method: 'S256',
        ...(request.dpop === undefined ? {} : { dpop_jkt: request.dpop.jkt }),
      }).toString();
      const { code } = await authorizeHeadless(authorize, { redirectUri });
      const form = {
        grant_type: 'authorization_code',
        code,
        redirect_uri: redirectUri,
        code_verifier: verifier,
        resource: request.resource,
      };
      return requestToken({ tokenEndpoint, form, clientId, clientSecret: secret, dpop: request.dpop });
    },
    exchangeToken(request) {
      const clientId = request.clientId ?? DEFAULT_CLIENT.clientId;
      const secret = request.clientSecret ?? clients.get(clientId)?.clientSecret;
      const form = {
        grant_type: TOKEN_EXCHANGE_GRANT,
        subject_token: request.subjectToken,
        subject_token_type: ACCESS_TOKEN_TYPE,
        scope: typeof request.scope === 'string' ? request.scope : request.scope.join(' '),
        ...(request.resource === undefined ? {} : { resource: request.resource }),
        ...(request.audience === undefined ? {} : { audience: request.audience }),
      };
      return requestToken({ tokenEndpoint, form, clientId, clientSecret: secret });
    },
    async registerClient(metadata) {
      const response = await fetch(endpoint('registration'), {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(metadata),
      });
      const json = (await response.json()) as Record<string, unknown>;
      if (response.status !== 201) {
        throw new Error(
          `dev authorization server: ${String(json['error'])}: ${String(json['error_description'])}`,
        );
      }
      return json;
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

async function createProvider(issuer: string, options: DevAuthorizationServerOptions): Promise<Provider> {
  const clients = [DEFAULT_DEV_CLIENT, ...(options.clients ?? [])];
  const exchanging = exchangingClients(clients, options.resources, DEFAULT_CLIENT.clientId);
  // Loaded on first use: oidc-provider is large, and createTestIssuer users never need it.
  const { default: OidcProvider, errors } = await importOidcProvider();
  const accessTokenTtl = options.accessTokenTtl ?? 3600;
  const tokenClaims = new WeakMap<object, Record<string, unknown>>();
  const { configuration, publicKeys } = await providerConfiguration({
    resources: options.resources,
    clients,
    accessTokenTtl,
    InvalidTarget: errors.InvalidTarget,
    requireDpopNonce: options.dpop?.requireNonce === true,
    tokenClaims,
  });
  const provider = new OidcProvider(issuer, configuration);
  const handler = tokenExchangeGrant({
    issuer,
    keys: createLocalJWKSet({ keys: [...publicKeys.keys] }),
    findResource: resourceFinder(options.resources),
    resourceServer: (resource) => resourceServerInfo(resource, accessTokenTtl),
    exchangingClients: exchanging,
    tokenClaims,
    errors,
  });
  provider.registerGrantType(
    TOKEN_EXCHANGE_GRANT,
    handler,
    TOKEN_EXCHANGE_PARAMETERS,
    TOKEN_EXCHANGE_REPEATABLE,
  );
  return provider;
}
