import { randomUUID, createHash } from 'node:crypto';
import { SignJWT, calculateJwkThumbprint, exportJWK, generateKeyPair, type CryptoKey, type JWK } from 'jose';

/** What one DPoP proof (RFC 9449 section 4.2) is made for, and any deliberate flaw in it. */
export interface DpopProofInit {
  /** `htm`: the request's method. */
  readonly method: string;
  /** The request's URL; `htu` is it without query and fragment. */
  readonly url: string | URL;
  /** The access token the proof goes with: `ath` is its SHA-256. */
  readonly accessToken?: string;
  /** The server nonce (`DPoP-Nonce`), when the resource asks for one. */
  readonly nonce?: string;
  /** Claims set last, over the defaults; `undefined` removes one (`{ ath: undefined }`). */
  readonly claims?: Readonly<Record<string, unknown>>;
  /** Header parameters over `{ typ: 'dpop+jwt', alg, jwk }`; `undefined` removes one. */
  readonly header?: Readonly<Record<string, unknown>>;
}

/** A client's DPoP key pair, making proofs for tests. */
export interface DpopKey {
  /** The signing algorithm. */
  readonly alg: string;
  /** The public key as a JWK (what a proof's `jwk` header carries). */
  readonly publicJwk: JWK;
  /** The RFC 7638 SHA-256 thumbprint of the public key: the `cnf.jkt` of a token bound to it. */
  readonly jkt: string;
  /** The private key, for tests that must leak it into a proof. */
  readonly privateKey: CryptoKey;
  /** A signed proof, fresh `jti` and `iat` unless `init.claims` says otherwise. */
  proof(init: DpopProofInit): Promise<string>;
}

/**
 * Generates a DPoP key pair (default ES256) for a test client.
 *
 * @example
 * ```ts
 * const key = await createDpopKey();
 * const token = await issuer.mint({ claims: { cnf: { jkt: key.jkt } } });
 * const proof = await key.proof({ method: 'GET', url: 'https://api.example.com/files/1', accessToken: token });
 * fetch(url, { headers: { authorization: `DPoP ${token}`, dpop: proof } });
 * ```
 */
export async function createDpopKey(alg = 'ES256'): Promise<DpopKey> {
  const { publicKey, privateKey } = await generateKeyPair(alg, { extractable: true });
  const publicJwk = await exportJWK(publicKey);
  const jkt = await calculateJwkThumbprint(publicJwk, 'sha256');
  return {
    alg,
    publicJwk,
    jkt,
    privateKey,
    async proof(init) {
      const url = new URL(init.url);
      url.search = '';
      url.hash = '';
      const claims = withOverrides(
        {
          jti: randomUUID(),
          htm: init.method,
          htu: url.href,
          iat: Math.floor(Date.now() / 1000),
          ...(init.accessToken === undefined
            ? {}
            : { ath: createHash('sha256').update(init.accessToken).digest('base64url') }),
          ...(init.nonce === undefined ? {} : { nonce: init.nonce }),
        },
        init.claims,
      );
      const header = withOverrides({ typ: 'dpop+jwt', alg, jwk: publicJwk }, init.header);
      return new SignJWT(claims).setProtectedHeader(header as { alg: string }).sign(privateKey);
    },
  };
}

function withOverrides(
  base: Record<string, unknown>,
  overrides: Readonly<Record<string, unknown>> | undefined,
): Record<string, unknown> {
  const merged: Record<string, unknown> = { ...base, ...overrides };
  for (const [name, value] of Object.entries(merged)) if (value === undefined) delete merged[name];
  return merged;
}
