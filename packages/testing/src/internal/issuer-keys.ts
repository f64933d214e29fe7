import {
  calculateJwkThumbprint,
  exportJWK,
  FlattenedSign,
  generateKeyPair,
  type CryptoKey,
  type JSONWebKeySet,
  type JWK,
} from 'jose';
import type { TestIssuerAlgorithm } from '../test-issuer-types.js';

/** A key pair a test issuer signs with; `kid` is the RFC 7638 thumbprint of the public key. */
export interface SigningKey {
  readonly alg: TestIssuerAlgorithm;
  readonly kid: string;
  readonly privateKey: CryptoKey;
  readonly publicJwk: JWK;
}

/** Generates a signing key for `alg`, with its public JWK (`kid`, `alg`, `use: sig`). */
export async function generateSigningKey(alg: TestIssuerAlgorithm): Promise<SigningKey> {
  const { publicKey, privateKey } = await generateKeyPair(alg, { extractable: true });
  const jwk = await exportJWK(publicKey);
  const kid = await calculateJwkThumbprint(jwk);
  return { alg, kid, privateKey, publicJwk: Object.freeze({ ...jwk, kid, alg, use: 'sig' }) };
}

/**
 * The keys of a test issuer: one active signing key per algorithm, plus retired public keys that
 * stay published after a rotation (so tokens signed before it keep verifying).
 */
export class IssuerKeys {
  readonly #active = new Map<TestIssuerAlgorithm, Promise<SigningKey>>();
  #retired: JWK[] = [];
  /** Settled active keys, in the order they were created, for a synchronous JWKS. */
  #published: SigningKey[] = [];

  /** The active key for `alg`, generated (and published) on first use. */
  signingKey(alg: TestIssuerAlgorithm): Promise<SigningKey> {
    let key = this.#active.get(alg);
    if (key === undefined) {
      key = generateSigningKey(alg).then((created) => {
        this.#published.push(created);
        return created;
      });
      this.#active.set(alg, key);
    }
    return key;
  }

  /** Replaces every active key with a new one; the old public keys stay published if `keepOld`. */
  async rotate(keepOld: boolean): Promise<void> {
    const algorithms = [...this.#active.keys()];
    const fresh = await Promise.all(algorithms.map(generateSigningKey));
    const retired = this.#published.map((key) => key.publicJwk);
    this.#retired = keepOld ? [...this.#retired, ...retired] : [];
    this.#published = fresh;
    this.#active.clear();
    for (const key of fresh) this.#active.set(key.alg, Promise.resolve(key));
  }

  /** The JSON Web Key Set served at the JWKS endpoint: active keys first, then retired ones. */
  jwks(): JSONWebKeySet {
    return {
      keys: [...this.#published.map((key) => key.publicJwk), ...this.#retired].map((jwk) => ({ ...jwk })),
    };
  }
}

/** Names in `crit` must be declared understood to jose's signer, or it refuses to sign. */
function critOption(header: Record<string, unknown>): { crit: Record<string, boolean> } | undefined {
  const crit = header['crit'];
  if (!Array.isArray(crit)) return undefined;
  return {
    crit: Object.fromEntries(crit.filter((name) => typeof name === 'string').map((name) => [name, true])),
  };
}

/**
 * Signs any payload bytes with `key` under a protected header of `{ alg, kid, ...header }` (a
 * member set to `undefined` is left out) and returns the compact serialization.
 */
export async function sign(
  key: SigningKey,
  payload: string | Uint8Array,
  header: Record<string, unknown>,
): Promise<string> {
  const protectedHeader: Record<string, unknown> = Object.fromEntries(
    Object.entries({ alg: key.alg, kid: key.kid, ...header }).filter(([, value]) => value !== undefined),
  );
  const bytes = typeof payload === 'string' ? new TextEncoder().encode(payload) : payload;
  // Flattened, then joined: unlike CompactSign it also signs unencoded payloads (b64: false, RFC 7797).
  const jws = await new FlattenedSign(bytes)
    .setProtectedHeader(protectedHeader as { alg: string })
    .sign(key.privateKey, critOption(protectedHeader));
  const body = protectedHeader['b64'] === false ? new TextDecoder().decode(bytes) : jws.payload;
  return `${jws.protected}.${body}.${jws.signature}`;
}
