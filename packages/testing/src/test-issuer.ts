import { randomUUID } from 'node:crypto';
import type { JSONWebKeySet } from 'jose';
import { JsonServer } from './internal/issuer-http.js';
import { IssuerKeys, generateSigningKey, sign, type SigningKey } from './internal/issuer-keys.js';
import type { EndpointOutage, TestIssuerAlgorithm } from './test-issuer-types.js';

/** Options of {@link createTestIssuer}. */
export interface TestIssuerOptions {
  /** The default signing algorithm. Default `'RS256'`. */
  readonly algorithm?: TestIssuerAlgorithm;
  /** Further algorithms to publish a key for from the start (others are added on first use). */
  readonly algorithms?: readonly TestIssuerAlgorithm[];
  /** A path for the issuer identifier, e.g. `'/realms/demo'` (tests RFC 8414 path-aware discovery). */
  readonly path?: string;
  /** The default `aud` of minted tokens: your resource (MCP server) URL. Default `'https://mcp.example.test/mcp'`. */
  readonly audience?: string | readonly string[];
  /**
   * Which metadata documents are served (both by default), and an `issuer` to advertise in them
   * instead of the real one (to test mix-up defences).
   */
  readonly metadata?: { readonly oauth?: boolean; readonly openid?: boolean; readonly issuer?: string };
}

/**
 * What a minted token carries. Defaults make an RFC 9068 access token: `typ: at+jwt`, `iss`,
 * `sub`, `aud`, `client_id`, `iat`, `exp` (5 minutes), `jti`, and `scope` when scopes are given.
 */
export interface MintOptions {
  /** Granted scopes, as the space-separated `scope` claim. None by default (no `scope` claim). */
  readonly scopes?: string | readonly string[];
  /** `aud`. Default the issuer's `audience`. */
  readonly audience?: string | readonly string[];
  /** `sub`. Default `'test-user'`. */
  readonly subject?: string;
  /** `client_id`. Default `'test-client'`. */
  readonly clientId?: string;
  /** Seconds until `exp`, from now; negative for an expired token. Default 300. */
  readonly expiresIn?: number;
  /** Claims set last, over the defaults; a claim set to `undefined` is removed (`{ iss: undefined }`). */
  readonly claims?: Readonly<Record<string, unknown>>;
  /** Header parameters over `{ alg, kid, typ: 'at+jwt' }`; `undefined` removes one (`{ typ: undefined }`). */
  readonly header?: Readonly<Record<string, unknown>>;
  /** Sign with the issuer's key for this algorithm (published in the JWKS). Default the issuer's algorithm. */
  readonly alg?: TestIssuerAlgorithm;
}

/** Requests each endpoint has received (outages included), for asserting caching behaviour. */
export interface TestIssuerRequests {
  readonly jwks: number;
  readonly oauthMetadata: number;
  readonly openidConfiguration: number;
}

/**
 * A token issuer for tests: a real HTTP server on 127.0.0.1 serving RFC 8414 and OpenID
 * discovery metadata and a JWKS, minting signed access tokens, with switches for the failures a
 * verifier must survive. Create it with {@link createTestIssuer}; `close()` it when done.
 */
export interface TestIssuer {
  /** The issuer identifier (`iss`), e.g. `http://127.0.0.1:53211` (plus the configured path). */
  readonly url: string;
  /** The JWKS URL: `${url}/jwks`. */
  readonly jwksUri: string;
  /** The default `aud` of minted tokens. */
  readonly audience: string | readonly string[];
  /** The default signing algorithm. */
  readonly algorithm: TestIssuerAlgorithm;
  /** The `kid` of the current signing key of the default algorithm. */
  readonly kid: string;
  /** Requests received so far, per endpoint. */
  readonly requests: TestIssuerRequests;
  /** The key set the JWKS endpoint serves now. */
  jwks(): JSONWebKeySet;
  /** A valid access token. */
  mint(options?: MintOptions): Promise<string>;
  /** Expired ten minutes ago (`exp` in the past, `iat` before it). */
  expired(options?: MintOptions): Promise<string>;
  /** `nbf` ten minutes from now. */
  notYetValid(options?: MintOptions): Promise<string>;
  /** `aud` is `https://wrong.example.test/mcp`. */
  wrongAudience(options?: MintOptions): Promise<string>;
  /** `iss` is `https://wrong-issuer.example.test`. */
  wrongIssuer(options?: MintOptions): Promise<string>;
  /** Validly signed by a key that is not in the JWKS (its own `kid`, unless `header.kid` says otherwise). */
  foreignKey(options?: MintOptions): Promise<string>;
  /** Signs any payload bytes (not necessarily JSON) with the issuer's key: for parser tests. */
  signRaw(payload: string | Uint8Array, header?: Readonly<Record<string, unknown>>): Promise<string>;
  /** New signing keys (new `kid`s); old public keys stay published unless `keepOld: false`. Returns the new `kid`. */
  rotateKeys(options?: { readonly keepOld?: boolean }): Promise<string>;
  /** Makes the JWKS endpoint fail (503 by default, or hang) until {@link startJwks}. */
  stopJwks(outage?: EndpointOutage): void;
  /**
   * Makes the JWKS endpoint slow until {@link startJwks}: each request is answered correctly
   * (with the keys published at that moment), `delayMs` milliseconds after it arrives.
   *
   * @example
   * ```ts
   * issuer.slowJwks(300); // well within a 2 s deadline: the first verification waits, then succeeds
   * ```
   */
  slowJwks(delayMs: number): void;
  /**
   * Makes the JWKS endpoint flap until {@link startJwks}: from now it fails (503 by default, or
   * hang) for `periodMs`, serves for `periodMs`, fails again, and so on. Which state a request
   * meets depends only on when it arrives, so no timer needs stopping.
   *
   * @example
   * ```ts
   * issuer.flapJwks(100); // down 0-100 ms, up 100-200 ms, down 200-300 ms, ...
   * ```
   */
  flapJwks(periodMs: number, outage?: EndpointOutage): void;
  /** Serves the JWKS again at once, ending a stop, slow or flapping mode; requests left hanging are cut off. */
  startJwks(): void;
  /** Makes both metadata endpoints fail until {@link startMetadata}. */
  stopMetadata(outage?: EndpointOutage): void;
  /** Makes both metadata endpoints answer correctly, `delayMs` after each request, until {@link startMetadata}. */
  slowMetadata(delayMs: number): void;
  /** Makes both metadata endpoints flap like {@link flapJwks} (failing first) until {@link startMetadata}. */
  flapMetadata(periodMs: number, outage?: EndpointOutage): void;
  /** Serves the metadata again at once, ending a stop, slow or flapping mode. */
  startMetadata(): void;
  /** Sets every request counter to 0. */
  resetRequests(): void;
  /** Stops the server, cutting off open connections. */
  close(): Promise<void>;
}

/** `value`, checked to be a whole number of milliseconds of at least `min`. */
function milliseconds(method: string, name: string, value: number, min: number): number {
  if (!Number.isSafeInteger(value) || value < min) {
    throw new TypeError(`${method}: ${name} must be a whole number of milliseconds, at least ${min}.`);
  }
  return value;
}

function withoutUndefined(record: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(record).filter(([, value]) => value !== undefined));
}

class RunningTestIssuer implements TestIssuer {
  readonly url: string;
  readonly jwksUri: string;
  readonly audience: string | readonly string[];
  readonly algorithm: TestIssuerAlgorithm;
  readonly #server: JsonServer;
  readonly #keys: IssuerKeys;
  #kid: string;

  constructor(server: JsonServer, url: string, keys: IssuerKeys, kid: string, options: TestIssuerOptions) {
    this.#server = server;
    this.#keys = keys;
    this.#kid = kid;
    this.url = url;
    this.jwksUri = `${url}/jwks`;
    this.audience = options.audience ?? 'https://mcp.example.test/mcp';
    this.algorithm = options.algorithm ?? 'RS256';
  }

  get kid(): string {
    return this.#kid;
  }

  get requests(): TestIssuerRequests {
    const counts = this.#server.counts();
    return Object.freeze({
      jwks: counts['jwks'] ?? 0,
      oauthMetadata: counts['oauthMetadata'] ?? 0,
      openidConfiguration: counts['openidConfiguration'] ?? 0,
    });
  }

  jwks(): JSONWebKeySet {
    return this.#keys.jwks();
  }

  async mint(options: MintOptions = {}): Promise<string> {
    return this.#mintWith(await this.#keys.signingKey(options.alg ?? this.algorithm), options);
  }

  expired(options: MintOptions = {}): Promise<string> {
    const now = Math.floor(Date.now() / 1000);
    return this.mint({ ...options, expiresIn: -600, claims: { iat: now - 1200, ...options.claims } });
  }

  notYetValid(options: MintOptions = {}): Promise<string> {
    const now = Math.floor(Date.now() / 1000);
    return this.mint({ ...options, claims: { nbf: now + 600, ...options.claims } });
  }

  wrongAudience(options: MintOptions = {}): Promise<string> {
    return this.mint({ ...options, audience: 'https://wrong.example.test/mcp' });
  }

  wrongIssuer(options: MintOptions = {}): Promise<string> {
    return this.mint({ ...options, claims: { ...options.claims, iss: 'https://wrong-issuer.example.test' } });
  }

  async foreignKey(options: MintOptions = {}): Promise<string> {
    return this.#mintWith(await generateSigningKey(options.alg ?? this.algorithm), options);
  }

  async signRaw(
    payload: string | Uint8Array,
    header: Readonly<Record<string, unknown>> = {},
  ): Promise<string> {
    return sign(await this.#keys.signingKey(this.algorithm), payload, { typ: 'at+jwt', ...header });
  }

  async rotateKeys(options: { readonly keepOld?: boolean } = {}): Promise<string> {
    await this.#keys.rotate(options.keepOld ?? true);
    this.#kid = (await this.#keys.signingKey(this.algorithm)).kid;
    return this.#kid;
  }

  stopJwks(outage: EndpointOutage = 'unavailable'): void {
    this.#server.stop('jwks', outage);
  }

  slowJwks(delayMs: number): void {
    this.#server.slow('jwks', milliseconds('slowJwks', 'delayMs', delayMs, 0));
  }

  flapJwks(periodMs: number, outage: EndpointOutage = 'unavailable'): void {
    this.#server.flap('jwks', milliseconds('flapJwks', 'periodMs', periodMs, 1), outage);
  }

  startJwks(): void {
    this.#server.start('jwks');
  }

  stopMetadata(outage: EndpointOutage = 'unavailable'): void {
    this.#server.stop('metadata', outage);
  }

  slowMetadata(delayMs: number): void {
    this.#server.slow('metadata', milliseconds('slowMetadata', 'delayMs', delayMs, 0));
  }

  flapMetadata(periodMs: number, outage: EndpointOutage = 'unavailable'): void {
    this.#server.flap('metadata', milliseconds('flapMetadata', 'periodMs', periodMs, 1), outage);
  }

  startMetadata(): void {
    this.#server.start('metadata');
  }

  resetRequests(): void {
    this.#server.resetCounts();
  }

  close(): Promise<void> {
    return this.#server.close();
  }

  #mintWith(key: SigningKey, options: MintOptions): Promise<string> {
    const now = Math.floor(Date.now() / 1000);
    const scopes = typeof options.scopes === 'string' ? options.scopes : options.scopes?.join(' ');
    const claims = withoutUndefined({
      iss: this.url,
      sub: options.subject ?? 'test-user',
      aud: options.audience ?? this.audience,
      client_id: options.clientId ?? 'test-client',
      iat: now,
      exp: now + (options.expiresIn ?? 300),
      jti: randomUUID(),
      scope: scopes === '' ? undefined : scopes,
      ...options.claims,
    });
    return sign(key, JSON.stringify(claims), { typ: 'at+jwt', ...options.header });
  }
}

/**
 * Starts a test issuer on 127.0.0.1 (a free port): discovery metadata at
 * `/.well-known/oauth-authorization-server{path}` and `{path}/.well-known/openid-configuration`,
 * keys at `{path}/jwks`, and a signing key per algorithm.
 *
 * @example
 * ```ts
 * const issuer = await createTestIssuer({ audience: 'http://127.0.0.1:3000/mcp' });
 * const verifier = new JwtVerifier({ issuer: issuer.url, audience: issuer.audience, jwksUri: issuer.jwksUri });
 * const principal = await verifier.verify(await issuer.mint({ scopes: ['files:read'] }));
 * await issuer.close();
 * ```
 */
export async function createTestIssuer(options: TestIssuerOptions = {}): Promise<TestIssuer> {
  const path = (options.path ?? '').replace(/\/+$/, '');
  if (path !== '' && !path.startsWith('/'))
    throw new TypeError('createTestIssuer: path must start with "/".');
  const algorithm = options.algorithm ?? 'RS256';
  const keys = new IssuerKeys();
  const [main] = await Promise.all(
    [algorithm, ...(options.algorithms ?? [])].map((alg) => keys.signingKey(alg)),
  );
  const { server, origin } = await JsonServer.listen();
  const url = `${origin}${path}`;
  const metadata = (): Record<string, unknown> => ({
    issuer: options.metadata?.issuer ?? url,
    jwks_uri: `${url}/jwks`,
    response_types_supported: ['code'],
    subject_types_supported: ['public'],
    id_token_signing_alg_values_supported: [...new Set(keys.jwks().keys.map((jwk) => jwk.alg))],
  });
  const metadataRoute = (counter: string, served: boolean | undefined) => ({
    counter,
    group: 'metadata',
    body: () => (served === false ? undefined : metadata()),
  });
  server.route(`${path}/jwks`, { counter: 'jwks', group: 'jwks', body: () => keys.jwks() });
  server.route(
    `/.well-known/oauth-authorization-server${path}`,
    metadataRoute('oauthMetadata', options.metadata?.oauth),
  );
  server.route(
    `${path}/.well-known/openid-configuration`,
    metadataRoute('openidConfiguration', options.metadata?.openid),
  );
  return new RunningTestIssuer(server, url, keys, main!.kid, options);
}
