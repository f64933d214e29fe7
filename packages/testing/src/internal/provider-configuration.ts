import { randomBytes } from 'node:crypto';
import { exportJWK, generateKeyPair, type JWK } from 'jose';
import type {
  AsymmetricSigningAlgorithm,
  ClientMetadata,
  Configuration,
  errors,
  ResourceServer,
} from 'oidc-provider';
import type { DevClient, DevResource } from '../dev-registrations.js';
import { memoryAdapter } from './memory-adapter.js';
import { TOKEN_EXCHANGE_GRANT } from './token-exchange-grant.js';

/** What the dev authorization server's oidc-provider configuration is made from. */
export interface ProviderSetup {
  readonly resources: readonly DevResource[];
  readonly clients: readonly DevClient[];
  readonly accessTokenTtl: number;
  /** oidc-provider's `errors.InvalidTarget`, thrown for an unknown resource (else a 500). */
  readonly InvalidTarget: typeof errors.InvalidTarget;
  /** Whether token requests with a DPoP proof must carry a server nonce (RFC 9449 section 8). */
  readonly requireDpopNonce: boolean;
  /** Claims to add to an access token (the `act` of an exchanged one), by token. */
  readonly tokenClaims: WeakMap<object, Record<string, unknown>>;
}

/** The configuration, and the public half of its signing key (what tokens verify with). */
export interface ProviderConfiguration {
  readonly configuration: Configuration;
  readonly publicKeys: { readonly keys: readonly JWK[] };
}

/**
 * The algorithms DPoP proofs may be signed with: every asymmetric JWS algorithm Valet accepts,
 * where oidc-provider's default allows ES256 and EdDSA only.
 */
const DPOP_SIGNING_ALGORITHMS: AsymmetricSigningAlgorithm[] = [
  'ES256',
  'ES384',
  'ES512',
  'PS256',
  'PS384',
  'PS512',
  'RS256',
  'RS384',
  'RS512',
  'EdDSA',
  'Ed25519',
];

/**
 * The oidc-provider configuration of the dev authorization server: RFC 9068 JWT access tokens
 * per resource (RFC 8707), client_credentials, introspection, revocation, open dynamic client
 * registration, PKCE always, DPoP (RFC 9449: a token request with a proof gets a token bound to its
 * key, one without a Bearer token), and no built-in login pages (the server's own handler
 * auto-consents). The token exchange grant (RFC 8693) is registered on the provider afterwards;
 * the `act` claims it issues reach tokens through `extraTokenClaims`.
 */
export async function providerConfiguration(setup: ProviderSetup): Promise<ProviderConfiguration> {
  const { privateKey, publicKey } = await generateKeyPair('RS256', { extractable: true });
  const keyInfo = { kid: randomBytes(8).toString('hex'), use: 'sig', alg: 'RS256' };
  const signingKey = { ...(await exportJWK(privateKey)), ...keyInfo };
  const publicKeys = { keys: [{ ...(await exportJWK(publicKey)), ...keyInfo }] };
  const findResource = resourceFinder(setup.resources);
  const scopes = new Set(['openid', 'offline_access', ...setup.resources.flatMap((r) => r.scopes)]);

  const configuration: Configuration = {
    adapter: memoryAdapter(),
    clients: setup.clients.map(clientMetadata),
    jwks: { keys: [signingKey] },
    cookies: { keys: [randomBytes(32).toString('base64url')] },
    scopes: [...scopes],
    ttl: {
      AccessToken: setup.accessTokenTtl,
      ClientCredentials: setup.accessTokenTtl,
      AuthorizationCode: 60,
      Interaction: 600,
      Session: 3600,
      Grant: 3600,
    },
    pkce: { required: () => true },
    enabledJWA: { dPoPSigningAlgValues: DPOP_SIGNING_ALGORITHMS },
    findAccount: (_ctx, sub) => ({ accountId: sub, claims: () => ({ sub }) }),
    interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
    clientBasedCORS: () => true,
    extraTokenClaims: (_ctx, token) => setup.tokenClaims.get(token),
    renderError: (ctx, out) => {
      ctx.type = 'text/plain; charset=utf-8';
      ctx.body = `${out.error}: ${out.error_description ?? ''}`;
    },
    features: {
      devInteractions: { enabled: false },
      clientCredentials: { enabled: true },
      introspection: { enabled: true, allowedPolicy: (_ctx, client) => client.clientAuthMethod !== 'none' },
      revocation: {
        enabled: true,
        allowedPolicy: (_ctx, client, token) => token.clientId === client.clientId,
      },
      registration: { enabled: true },
      dPoP: {
        enabled: true,
        // oidc-provider issues nonces only with a secret; one per server, as its keys are.
        nonceSecret: randomBytes(32),
        requireNonce: () => setup.requireDpopNonce,
      },
      resourceIndicators: {
        enabled: true,
        defaultResource: (_ctx, _client, oneOf) =>
          oneOf === undefined && setup.resources.length === 1 ? setup.resources[0]!.url : undefined,
        useGrantedResource: () => true,
        getResourceServerInfo: (_ctx, indicator) => {
          const resource = findResource(indicator);
          if (resource === undefined) throw new setup.InvalidTarget('unknown resource indicator');
          return resourceServerInfo(resource, setup.accessTokenTtl);
        },
      },
    },
  };
  return { configuration, publicKeys };
}

/** How oidc-provider issues tokens for `resource`: its scopes, `aud`, lifetime and format. */
export function resourceServerInfo(resource: DevResource, accessTokenTtl: number): ResourceServer {
  return {
    scope: resource.scopes.join(' '),
    audience: resource.url,
    accessTokenTTL: accessTokenTtl,
    accessTokenFormat: resource.accessTokenFormat ?? 'jwt',
    jwt: { sign: { alg: 'RS256' } },
  };
}

/** Finds a resource by its indicator, matched as a URL (`http://H:1/mcp` and `http://h:1/mcp` are one). */
export function resourceFinder(
  resources: readonly DevResource[],
): (indicator: string) => DevResource | undefined {
  const byUrl = new Map(resources.map((resource) => [normalize(resource.url), resource]));
  return (indicator) => byUrl.get(normalize(indicator));
}

function clientMetadata(client: DevClient): ClientMetadata {
  const confidential = client.clientSecret !== undefined;
  const grantTypes = client.grantTypes ?? [
    'authorization_code',
    'refresh_token',
    ...(confidential ? ['client_credentials'] : []),
  ];
  return {
    client_id: client.clientId,
    ...(confidential ? { client_secret: client.clientSecret } : {}),
    token_endpoint_auth_method: confidential ? 'client_secret_basic' : 'none',
    // Every client may ask, so that one not allowed to exchange hears `unauthorized_client` from
    // the grant (RFC 6749 section 5.2), not oidc-provider's generic `invalid_request`.
    grant_types: [...new Set([...grantTypes, TOKEN_EXCHANGE_GRANT])],
    response_types: grantTypes.includes('authorization_code') ? ['code'] : [],
    redirect_uris: [...(client.redirectUris ?? ['http://127.0.0.1/callback'])],
  };
}

/** Resource indicators match as URLs (`http://H:1/mcp` and `http://h:1/mcp` are one resource). */
function normalize(url: string): string {
  return URL.canParse(url) ? new URL(url).href : url;
}
