import { KeyObject, randomUUID } from 'node:crypto';
import { SignJWT, importJWK, type CryptoKey, type JWK } from 'jose';
import { OptionsError } from '../../errors.js';
import { clientSecretBasic } from '../../lib/client-secret-basic.js';
import { nonEmptyString } from '../../lib/option-checks.js';
import { isAsymmetricAlgorithm } from '../../verify/jwt/jwt-algorithms.js';
import type { ExchangeClientAuth } from '../exchange-options.js';

/** RFC 7523 section 2.2: the `client_assertion_type` of a JWT client assertion. */
const JWT_BEARER_ASSERTION = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';

/** How long a client assertion is valid, in seconds: one request's worth. */
const ASSERTION_LIFETIME_SECONDS = 60;

/** Adds this client's credentials to a token request: to `form`, or as the `authorization` header. */
export type Authenticate = (
  form: URLSearchParams,
  headers: Record<string, string>,
  tokenEndpoint: string,
) => Promise<void>;

/**
 * `clientAuth`, checked at construction (a known method with its credentials; an asymmetric `alg`
 * and a private key for `private_key_jwt`), as a function that authenticates one request.
 */
export function clientAuthentication(auth: ExchangeClientAuth, clock: () => number): Authenticate {
  if (auth === null || typeof auth !== 'object') {
    throw new OptionsError(
      'clientAuth',
      'clientAuth is required: { clientId, clientSecret } or { method: "private_key_jwt", clientId, privateKey, alg }.',
    );
  }
  const method: unknown = auth.method;
  const clientId = nonEmptyString('clientAuth.clientId', auth.clientId);
  if (method === undefined || method === 'client_secret_basic') {
    const secret = nonEmptyString(
      'clientAuth.clientSecret',
      (auth as { clientSecret?: unknown }).clientSecret,
    );
    const basic = clientSecretBasic(clientId, secret);
    return async (_form, headers) => {
      headers['authorization'] = basic;
    };
  }
  if (method === 'client_secret_post') {
    const secret = nonEmptyString(
      'clientAuth.clientSecret',
      (auth as { clientSecret?: unknown }).clientSecret,
    );
    return async (form) => {
      form.set('client_id', clientId);
      form.set('client_secret', secret);
    };
  }
  if (method !== 'private_key_jwt') {
    throw new OptionsError(
      'clientAuth.method',
      'clientAuth.method must be "client_secret_basic", "client_secret_post" or "private_key_jwt".',
    );
  }
  const { alg, kid, x5tS256, x5t } = auth as Extract<ExchangeClientAuth, { method: 'private_key_jwt' }>;
  if (!isAsymmetricAlgorithm(alg)) {
    throw new OptionsError(
      'clientAuth.alg',
      'clientAuth.alg must be an asymmetric JWS algorithm (RS256, PS256, ES256, EdDSA, ...): ' +
        'private_key_jwt signs with a private key, never a shared secret.',
    );
  }
  for (const [field, value] of [
    ['kid', kid],
    ['x5tS256', x5tS256],
    ['x5t', x5t],
  ] as const) {
    if (value !== undefined) nonEmptyString(`clientAuth.${field}`, value);
  }
  const key = privateKey((auth as { privateKey?: unknown }).privateKey, alg);
  const header = { alg, typ: 'JWT', kid, 'x5t#S256': x5tS256, x5t };
  for (const name of Object.keys(header) as (keyof typeof header)[]) {
    if (header[name] === undefined) delete header[name];
  }
  return async (form, _headers, tokenEndpoint) => {
    const now = Math.floor(clock() / 1000);
    const assertion = await new SignJWT({ jti: randomUUID() })
      .setProtectedHeader(header)
      .setIssuer(clientId)
      .setSubject(clientId)
      .setAudience(tokenEndpoint)
      .setIssuedAt(now)
      .setNotBefore(now)
      .setExpirationTime(now + ASSERTION_LIFETIME_SECONDS)
      .sign(await key());
    form.set('client_id', clientId);
    form.set('client_assertion_type', JWT_BEARER_ASSERTION);
    form.set('client_assertion', assertion);
  };
}

/** The signing key, checked to be private; a JWK is imported once, on first use. */
function privateKey(value: unknown, alg: string): () => Promise<CryptoKey | KeyObject> {
  if (value instanceof KeyObject) {
    if (value.type !== 'private') throw notPrivate();
    return async () => value;
  }
  if (isCryptoKey(value)) {
    if (value.type !== 'private') throw notPrivate();
    return async () => value;
  }
  if (value !== null && typeof value === 'object' && typeof (value as JWK).kty === 'string') {
    const jwk = value as JWK;
    if (typeof jwk.d !== 'string') throw notPrivate();
    let imported: Promise<CryptoKey | KeyObject> | undefined;
    return () => {
      imported ??= importJWK(jwk, alg).then((key) => {
        if (key instanceof Uint8Array) throw notPrivate();
        return key;
      });
      return imported;
    };
  }
  throw notPrivate();
}

/** A WebCrypto key, by its tag: works across realms, unlike `instanceof`. */
function isCryptoKey(value: unknown): value is CryptoKey {
  return Object.prototype.toString.call(value) === '[object CryptoKey]';
}

function notPrivate(): OptionsError {
  return new OptionsError(
    'clientAuth.privateKey',
    'clientAuth.privateKey must be a private key: a KeyObject, a CryptoKey or a JWK with "d".',
  );
}
