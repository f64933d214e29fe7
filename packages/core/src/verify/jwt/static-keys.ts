import {
  createLocalJWKSet,
  errors,
  exportJWK,
  importSPKI,
  importX509,
  type CryptoKey,
  type FlattenedJWSInput,
  type JSONWebKeySet,
  type JWK,
  type JWSHeaderParameters,
  type KeyObject,
} from 'jose';
import { OptionsError } from '../../errors.js';
import type { StaticKey, StaticKeys } from '../jwt-verifier-options.js';

const PRIVATE_JWK_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'k'] as const;

const tag = (value: unknown): unknown =>
  (value as { [Symbol.toStringTag]?: unknown } | null)?.[Symbol.toStringTag];
const isCryptoKey = (value: unknown): value is CryptoKey => tag(value) === 'CryptoKey';
const isKeyObject = (value: unknown): value is KeyObject => tag(value) === 'KeyObject';
const isKeySet = (keys: StaticKeys): keys is JSONWebKeySet => !Array.isArray(keys);

function checkJwk(field: string, jwk: unknown): void {
  if (typeof jwk !== 'object' || jwk === null || typeof (jwk as JWK).kty !== 'string') {
    throw new OptionsError(field, `${field} must be a JSON Web Key with a "kty" member.`);
  }
  if ((jwk as JWK).kty === 'oct') {
    throw new OptionsError(field, `${field} is a symmetric key; pass an HMAC key as the secret option.`);
  }
  if (PRIVATE_JWK_MEMBERS.some((member) => member in jwk)) {
    throw new OptionsError(field, `${field} is a private key; configure the public key only.`);
  }
}

function checkKey(field: string, key: unknown): void {
  if (typeof key === 'string') {
    if (/PRIVATE KEY-----/.test(key)) {
      throw new OptionsError(field, `${field} is a private key; configure the public key only.`);
    }
    if (/-----BEGIN RSA PUBLIC KEY-----/.test(key)) {
      throw new OptionsError(field, `${field} is a PKCS#1 key; convert it to SPKI ("BEGIN PUBLIC KEY").`);
    }
    if (!/-----BEGIN (PUBLIC KEY|CERTIFICATE)-----/.test(key)) {
      throw new OptionsError(field, `${field} must be a PEM public key (SPKI) or X.509 certificate.`);
    }
  } else if (isCryptoKey(key) || isKeyObject(key)) {
    if (key.type !== 'public') {
      throw new OptionsError(field, `${field} is a ${String(key.type)} key; configure a public key.`);
    }
  } else {
    checkJwk(field, key);
  }
}

/** Validates configured keys at construction; `OptionsError` names the first bad one. */
export function checkStaticKeys(keys: unknown, field = 'keys'): asserts keys is StaticKeys {
  const list: unknown = Array.isArray(keys) ? keys : (keys as JSONWebKeySet | null)?.keys;
  if (!Array.isArray(list) || list.length === 0) {
    throw new OptionsError(
      field,
      `${field} must be a JSON Web Key Set ({ keys: [...] }) or a non-empty list of keys.`,
    );
  }
  const jwks = !Array.isArray(keys);
  list.forEach((key: unknown, index) => {
    const where = jwks ? `${field}.keys[${index}]` : `${field}[${index}]`;
    if (jwks) checkJwk(where, key);
    else checkKey(where, key);
  });
}

async function importPem(pem: string, algorithms: readonly string[]): Promise<JWK> {
  const load = pem.includes('CERTIFICATE') ? importX509 : importSPKI;
  let lastError: unknown;
  for (const alg of algorithms) {
    try {
      return await exportJWK(await load(pem, alg, { extractable: true }));
    } catch (err) {
      lastError = err;
    }
  }
  throw lastError;
}

async function toJwk(key: StaticKey, algorithms: readonly string[]): Promise<JWK> {
  if (typeof key === 'string') return importPem(key, algorithms);
  if (isCryptoKey(key) || isKeyObject(key)) return exportJWK(key);
  return { ...key };
}

type Resolver = (header: JWSHeaderParameters, token?: FlattenedJWSInput) => Promise<CryptoKey>;

/** One jose local set per kind of key; the common cases (all keys with or all without kid) need no fallback. */
async function buildResolver(keys: StaticKeys, algorithms: readonly string[]): Promise<Resolver> {
  const list: readonly StaticKey[] = isKeySet(keys) ? keys.keys : keys;
  const jwks = await Promise.all(list.map((key) => toJwk(key, algorithms)));
  const withKid = jwks.filter((jwk) => jwk.kid !== undefined);
  const withoutKid = jwks.filter((jwk) => jwk.kid === undefined);
  const byKid = createLocalJWKSet({ keys: withKid });
  const anyKid = createLocalJWKSet({ keys: withoutKid });
  const ignoringKid: Resolver = (header, token) => anyKid({ ...header, kid: undefined }, token);
  if (withoutKid.length === 0) return byKid;
  if (withKid.length === 0) return ignoringKid;
  return (header, token) =>
    byKid(header, token).catch((err: unknown) => {
      if (!(err instanceof errors.JWKSNoMatchingKey)) throw err;
      return ignoringKid(header, token);
    });
}

/** Most protected headers a {@link StaticKeySet} remembers the key of. */
const MAX_REMEMBERED_HEADERS = 16;

/** The encoded protected header of a compact JWS: its first segment. */
const protectedHeaderOf = (token: string): string => token.slice(0, token.indexOf('.'));

/** Configured keys as jose sees them: a key resolver, and the keys it chose for tokens that verified. */
export interface StaticKeySet {
  /** jose's key resolver over the configured keys. */
  readonly resolve: Resolver;
  /** The key an earlier token with the same protected header verified with, if one did. */
  keyFor(token: string): CryptoKey | undefined;
  /** Records the key {@link StaticKeySet.resolve} chose for `token`, which then verified. */
  remember(token: string, key: unknown): void;
}

/**
 * A jose key resolver over configured keys. Selection is jose's (`createLocalJWKSet`: by `alg`,
 * `kid`, `use`, `key_ops`); a configured key without a `kid` is a candidate for tokens with any
 * `kid`, as a single PEM key usually is. Keys are imported on first use; a key that cannot be
 * imported makes every verification fail with `keys_unavailable`. Once loaded, calls go straight
 * to jose's resolver.
 *
 * The selection reads nothing but the protected header of a compact JWS (`alg`, `kid`), and
 * configured keys never change, so one encoded header always resolves to the same key:
 * remembering that key per header, and handing it to jose directly next time, is exact. It
 * saves jose's key-set search and an async layer on every verification. Only headers of tokens
 * that verified are remembered (at most {@link MAX_REMEMBERED_HEADERS}), so an attacker cannot
 * fill the map; a header matching several kid-less keys never reaches `remember` (it fails in
 * `resolve`, and each candidate is then tried as a key).
 */
export function staticKeySet(keys: StaticKeys, algorithms: readonly string[]): StaticKeySet {
  let loaded: Resolver | undefined;
  let pending: Promise<Resolver> | undefined;
  const load = async (): Promise<Resolver> => {
    try {
      return (loaded = await (pending ??= buildResolver(keys, algorithms)));
    } catch (cause) {
      throw new OptionsError('keys', 'A configured key cannot be imported for the allowed algorithms.', {
        cause,
      });
    }
  };
  const remembered = new Map<string, CryptoKey>();
  return {
    resolve: (header, token) =>
      loaded === undefined ? load().then((resolve) => resolve(header, token)) : loaded(header, token),
    keyFor: (token) => (remembered.size === 0 ? undefined : remembered.get(protectedHeaderOf(token))),
    remember(token, key) {
      if (remembered.size < MAX_REMEMBERED_HEADERS && isCryptoKey(key)) {
        remembered.set(protectedHeaderOf(token), key);
      }
    },
  };
}
