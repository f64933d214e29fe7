import { createHash, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type Provider from 'oidc-provider';
import type * as OidcProviderModule from 'oidc-provider';
import { authorizeHeadless } from './authorize-headless.js';
import type { DpopKey } from './dpop-key.js';
import { autoConsent } from './internal/auto-consent.js';
import { providerConfiguration } from './internal/provider-configuration.js';
import { requestToken } from './internal/token-request.js';
import type { DevClient, DevResource } from './dev-registrations.js';

/** Options of {@link startDevAuthorizationServer}. */
export interface DevAuthorizationServerOptions {
  /** The resources tokens can be issued for. An unknown `resource` is refused with `invalid_target`. */
  readonly resources: readonly DevResource[];
  /** Port on the loopback interface. Default 0 (any free port). */
  readonly port?: number;
  /** Loopback host to bind and name in the issuer: `'127.0.0.1'` (default) or `'localhost'`. */
  readonly host?: '127.0.0.1' | 'localhost';
  /** Extra clients; `dev-client` / `dev-secret` (confidential) always exists. */
  readonly clients?: readonly DevClient[];
  /** Access token lifetime in seconds. Default 3600. */
  readonly accessTokenTtl?: number;
  /** The account every headless login signs in as (the token's `sub`). Default `'dev-user'`. */
  readonly accountId?: string;
  /** Where server errors go. Default `console`. */
  readonly logger?: { readonly error: (message: string, error?: unknown) => void };
  /**
   * DPoP (RFC 9449) at the token endpoint, always on: a token request with a `DPoP` proof gets a
   * token bound to the proof's key (`token_type: DPoP`, `cnf.jkt`). `requireNonce: true` makes
   * every such request carry a server nonce, answering the first with `use_dpop_nonce` and a
   * `DPoP-Nonce` header (section 8), to test a client's retry. Default `{ requireNonce: false }`.
   */
  readonly dpop?: { readonly requireNonce?: boolean };
}

/** Options of {@link DevAuthorizationServer.clientCredentialsToken}. */
export interface ClientCredentialsTokenOptions {
  /** The resource indicator (RFC 8707): the token's `aud`. */
  readonly resource: string;
  readonly scope: string | readonly string[];
  /** Default the confidential `dev-client`. */
  readonly clientId?: string;
  /** Default the secret the client was registered with (`dev-secret` for `dev-client`). */
  readonly clientSecret?: string;
  /**
   * A DPoP key (`createDpopKey()`): the request carries a proof made with it and the token
   * comes back bound to it (`cnf.jkt`). Without it the token is a Bearer token.
   */
  readonly dpop?: DpopKey;
}

/** Options of {@link DevAuthorizationServer.authorizationCodeToken}. */
export interface AuthorizationCodeTokenOptions {
  readonly resource: string;
  readonly scope: string | readonly string[];
  /** Default the confidential `dev-client`. */
  readonly clientId?: string;
  /** Secret of a confidential client; omit for a public client. Default `dev-secret` with `dev-client`. */
  readonly clientSecret?: string;
  /** Default the client's first redirect URI, `http://127.0.0.1/callback` for `dev-client`. */
  readonly redirectUri?: string;
  /**
   * A DPoP key (`createDpopKey()`): the authorization request names it (`dpop_jkt`, so the
   * code is bound to it), the code exchange carries a proof made with it, and the token comes back
   * bound to it (`cnf.jkt`). Without it the token is a Bearer token.
   */
  readonly dpop?: DpopKey;
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
 * bound to the client's key (`cnf.jkt`) when the token request carries a DPoP proof (RFC 9449),
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
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    const path = (req.url ?? '/').split('?')[0];
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

/** Set on `globalThis` once the Node 20 notice is printed, so test runners that reload modules print it once. */
const NODE_20_NOTICE = Symbol.for('valet.testing.node20-notice');

/**
 * oidc-provider warns "Unsupported runtime" on every import under Node 20 (it asks for 22+), which
 * a test runner repeats per file. Valet tests the development server on Node 20, so the warning is
 * replaced by one notice per process saying so.
 */
async function importOidcProvider(): Promise<typeof OidcProviderModule> {
  const major = Number(process.versions.node.split('.')[0]);
  if (major >= 22) return import('oidc-provider');
  const warn = console.warn;
  console.warn = (...args: unknown[]) => {
    if (typeof args[0] === 'string' && args[0].includes('oidc-provider WARNING: Unsupported runtime')) return;
    warn(...args);
  };
  try {
    return await import('oidc-provider');
  } finally {
    console.warn = warn;
    const flags = globalThis as { [NODE_20_NOTICE]?: boolean };
    if (flags[NODE_20_NOTICE] !== true) {
      flags[NODE_20_NOTICE] = true;
      console.info(
        `Note: the development authorization server runs oidc-provider, which asks for Node 22 or later; ` +
          `Valet tests it on Node ${process.versions.node} too. Use Node 22 or 24 in production.`,
      );
    }
  }
}

async function createProvider(issuer: string, options: DevAuthorizationServerOptions): Promise<Provider> {
  // Loaded on first use: oidc-provider is large, and createTestIssuer users never need it.
  const { default: OidcProvider, errors } = await importOidcProvider();
  const configuration = await providerConfiguration({
    resources: options.resources,
    clients: [DEFAULT_DEV_CLIENT, ...(options.clients ?? [])],
    accessTokenTtl: options.accessTokenTtl ?? 3600,
    InvalidTarget: errors.InvalidTarget,
    requireDpopNonce: options.dpop?.requireNonce === true,
  });
  return new OidcProvider(issuer, configuration);
}
