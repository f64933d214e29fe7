import { AuthorizationServerUnavailableError, OptionsError } from '../errors.js';
import { secureUrl } from '../lib/secure-url.js';

/** The members of an authorization server's metadata (RFC 8414 / OpenID Discovery) Valet reads. */
export interface AuthorizationServerMetadata {
  /** Equals the issuer it was discovered for: checked. */
  readonly issuer: string;
  /** Where the signing keys are: `https:` (or `http:` on loopback), checked. */
  readonly jwks_uri: string;
  /** Every other member, as published. */
  readonly [member: string]: unknown;
}

/** Options of {@link discoverAuthorizationServer}. */
export interface DiscoveryOptions {
  /** Fetch this metadata URL instead of the well-known ones derived from the issuer. */
  readonly url?: string | URL;
  /** Abort each request after this many milliseconds. Default 5000. */
  readonly timeoutMs?: number;
  /** The fetch implementation. Default the global `fetch`. */
  readonly fetch?: typeof fetch;
}

/**
 * The metadata URLs of an issuer, in the order they are tried: first RFC 8414 section 3.1 (the
 * well-known segment goes between host and path: `https://h/tenant` ->
 * `https://h/.well-known/oauth-authorization-server/tenant`), then OpenID Connect Discovery
 * (appended: `https://h/tenant/.well-known/openid-configuration`). A trailing slash of the issuer
 * is dropped first, as both specifications say.
 *
 * @example
 * ```ts
 * discoveryUrls('https://auth.example.com/realms/demo').map(String);
 * // ['https://auth.example.com/.well-known/oauth-authorization-server/realms/demo',
 * //  'https://auth.example.com/realms/demo/.well-known/openid-configuration']
 * ```
 */
export function discoveryUrls(issuer: string | URL): readonly URL[] {
  const url = secureUrl('issuer', issuer);
  if (url.search !== '') {
    throw new OptionsError(
      'issuer',
      'An issuer used for discovery must not have a query (RFC 8414 section 2).',
    );
  }
  const path = url.pathname === '/' ? '' : url.pathname.replace(/\/$/, '');
  return [
    new URL(`${url.origin}/.well-known/oauth-authorization-server${path}`),
    new URL(`${url.origin}${path}/.well-known/openid-configuration`),
  ];
}

function unavailable(message: string, cause?: unknown): AuthorizationServerUnavailableError {
  return new AuthorizationServerUnavailableError('discovery_failed', message, { cause });
}

/** Failures naming another issuer: final, never retried at the next URL. */
const mixUps = new WeakSet<Error>();

async function fetchMetadata(
  url: URL,
  issuer: string,
  options: DiscoveryOptions,
): Promise<AuthorizationServerMetadata> {
  const response = await (options.fetch ?? fetch)(url, {
    headers: { accept: 'application/json' },
    redirect: 'manual',
    signal: AbortSignal.timeout(options.timeoutMs ?? 5000),
  });
  if (response.status !== 200) {
    await response.body?.cancel();
    throw unavailable(
      `Authorization server metadata at ${url.href} answered HTTP ${response.status}, not 200.`,
    );
  }
  const document: unknown = await response.json();
  if (typeof document !== 'object' || document === null || Array.isArray(document)) {
    throw unavailable(`Authorization server metadata at ${url.href} is not a JSON object.`);
  }
  const metadata = document as Record<string, unknown>;
  if (metadata['issuer'] !== issuer) {
    const mixUp = unavailable(
      `Authorization server metadata at ${url.href} names another issuer than the configured "${issuer}" ` +
        '(RFC 8414 section 3.3: refusing it protects against mix-up attacks). Check the issuer option.',
    );
    mixUps.add(mixUp);
    throw mixUp;
  }
  const jwksUri = metadata['jwks_uri'];
  if (typeof jwksUri !== 'string') {
    throw unavailable(`Authorization server metadata at ${url.href} has no jwks_uri.`);
  }
  try {
    secureUrl('jwks_uri', jwksUri);
  } catch (cause) {
    throw unavailable(`Authorization server metadata at ${url.href} has an unusable jwks_uri.`, cause);
  }
  return Object.freeze({ ...metadata, issuer, jwks_uri: jwksUri });
}

/**
 * Fetches and checks the metadata of an authorization server: the URLs of {@link discoveryUrls}
 * in order (or `options.url`), the first `200` JSON object wins. Its `issuer` must equal
 * `issuer` exactly, else it is refused at once (mix-up defence, RFC 8414 section 3.3, OpenID
 * Discovery section 4.3); its `jwks_uri` must be `https:` (or loopback `http:`). Redirects are
 * not followed. Fails with `AuthorizationServerUnavailableError` reason `discovery_failed`, the
 * underlying error as `cause`.
 *
 * @example
 * ```ts
 * const metadata = await discoverAuthorizationServer('https://auth.example.com/realms/demo');
 * metadata.jwks_uri; // 'https://auth.example.com/realms/demo/protocol/openid-connect/certs'
 * ```
 */
export async function discoverAuthorizationServer(
  issuer: string,
  options: DiscoveryOptions = {},
): Promise<AuthorizationServerMetadata> {
  const urls = options.url === undefined ? discoveryUrls(issuer) : [secureUrl('discovery', options.url)];
  const failures: unknown[] = [];
  for (const url of urls) {
    try {
      return await fetchMetadata(url, issuer, options);
    } catch (err) {
      if (err instanceof Error && mixUps.has(err)) throw err;
      failures.push(err);
    }
  }
  throw unavailable(
    `Could not discover the authorization server metadata of "${issuer}" (tried ${urls.map((u) => u.href).join(', ')}).`,
    failures.length === 1 ? failures[0] : new AggregateError(failures, 'Every discovery URL failed.'),
  );
}
