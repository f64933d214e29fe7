import {
  InsufficientScopeError,
  InvalidDpopProofError,
  InvalidTokenError,
  StateUnavailableError,
  UseDpopNonceError,
} from '../errors.js';
import { readLater, type PendingCheck } from '../state/pending-check.js';
import type { StateStore } from '../state/state-store.js';
import { DPOP_CLOCK_TOLERANCE_SECONDS, type ResolvedDpopOptions } from './dpop-options.js';
import { dpopNonces } from './dpop-nonce.js';
import { verifyDpopProof } from './dpop-proof.js';
import { expectedHtu } from './htu.js';
import { checkDpopBinding } from './token-binding.js';

/** What a DPoP request brings besides its access token. */
export interface DpopRequest {
  readonly method?: string | undefined;
  readonly url?: string | undefined;
  readonly dpop?: string | readonly string[] | undefined;
}

/**
 * Admits a request made with `Authorization: DPoP <token>`: resolves to the caller with its
 * replay check on its way, or rejects with the refusal, every one in the `DPoP` scheme.
 * `principal` verifies the token (or takes it from the cache) and is called once the proof has
 * passed its stateless checks.
 */
export type DpopAdmission = (
  request: DpopRequest,
  token: string,
  principal: () => PendingCheck | Promise<PendingCheck>,
) => Promise<PendingCheck>;

/**
 * The DPoP step of the flow (RFC 9449 sections 4.3, 7 and 9): exactly one `DPoP` header, the
 * proof's checks ({@link verifyDpopProof}) against the request's method and its URL on the
 * resource's origin, the server nonce when required, the token's binding to the proof's key, and
 * last the proof's `jti`, stored once per key in `store` for as long as the proof could be
 * accepted, so a replay is refused on every instance sharing it. A store that fails is a 503:
 * a replay must not get through while the store is away. The `jti` is sent to the store, not
 * waited for: the flow's other store work leaves with it.
 */
export function dpopAdmission(options: ResolvedDpopOptions, resource: URL, store: StateStore): DpopAdmission {
  const { algorithms, maxAgeSeconds } = options;
  const origin = resource.origin;
  const nonces = options.nonce && dpopNonces(options.nonce.secret, options.nonce.lifetimeSeconds, origin);
  const replayWindowMs = (maxAgeSeconds + DPOP_CLOCK_TOLERANCE_SECONDS) * 1000;

  return async (request, token, principal) => {
    const proof = singleProof(request.dpop);
    const htu = request.url === undefined ? undefined : expectedHtu(origin, request.url);
    if (htu === undefined || request.method === undefined) {
      throw new InvalidDpopProofError(
        'wrong_url',
        "The server could not determine this request's method and URL to check the DPoP proof against.",
      );
    }
    const nowSeconds = Date.now() / 1000;
    const verified = await verifyDpopProof(proof, {
      method: request.method,
      htu,
      accessToken: token,
      algorithms,
      maxAgeSeconds,
      nowSeconds,
    });
    if (nonces !== undefined && !nonces.accepts(verified.nonce, nowSeconds)) {
      throw new UseDpopNonceError(
        nonces.current(nowSeconds),
        verified.nonce === undefined
          ? 'This resource requires a server nonce in DPoP proofs; retry with the one in the DPoP-Nonce header.'
          : "The DPoP proof's nonce is invalid or has expired; retry with the one in the DPoP-Nonce header.",
      );
    }
    let caller: PendingCheck;
    try {
      caller = await principal();
    } catch (error) {
      throw inDpopScheme(error);
    }
    checkDpopBinding(caller.principal, verified.jkt);
    const unused = readLater(
      firstUse(store, `valet:dpop:jti:${verified.jkt}:${verified.jti}`, replayWindowMs),
    );
    const { checked } = caller;
    return {
      principal: caller.principal,
      checked:
        checked === undefined
          ? unused
          : readLater(
              checked.then(
                () => unused,
                (error: unknown) => Promise.reject(inDpopScheme(error)),
              ),
            ),
    };
  };
}

/**
 * `error` as the answer to a request in the DPoP scheme: a refused token or missing scopes get a
 * `DPoP` challenge (RFC 9449 section 7.1). Other errors are returned as they are.
 */
export function inDpopScheme(error: unknown): unknown {
  if (error instanceof InvalidTokenError && error.scheme === undefined) {
    return new InvalidTokenError(error.reason, error.message, {
      cause: error.cause,
      ...(error.claim === undefined ? {} : { claim: error.claim }),
      scheme: 'DPoP',
    });
  }
  if (error instanceof InsufficientScopeError && error.scheme === undefined) {
    return new InsufficientScopeError(error.message, {
      required: error.required,
      missing: error.missing,
      ...(error.operationId === undefined ? {} : { operationId: error.operationId }),
      scheme: 'DPoP',
    });
  }
  return error;
}

/** Stores a proof's `jti` key; rejects when it was there already (a replay) or the store fails. */
async function firstUse(store: StateStore, key: string, ttlMs: number): Promise<void> {
  let fresh: boolean;
  try {
    fresh = await store.setIfAbsent(key, '1', ttlMs);
  } catch (cause) {
    throw new StateUnavailableError(
      'The DPoP proof could not be checked for replay: the state store failed.',
      {
        cause,
      },
    );
  }
  if (!fresh) {
    throw new InvalidDpopProofError(
      'replayed',
      'The DPoP proof has been used before (jti); make a new proof for each request.',
      { claim: 'jti' },
    );
  }
}

function singleProof(dpop: DpopRequest['dpop']): string {
  const values = typeof dpop === 'string' ? [dpop] : (dpop ?? []);
  if (values.length === 0 || (values.length === 1 && values[0]!.trim() === '')) {
    throw new InvalidDpopProofError(
      'missing',
      'The request uses the DPoP scheme but has no DPoP proof header; send one "DPoP: <proof>" header.',
    );
  }
  // A comma cannot occur in a JWT: one there is two header lines a proxy joined.
  if (values.length > 1 || values[0]!.includes(',')) {
    throw new InvalidDpopProofError(
      'multiple',
      'The request has more than one DPoP header; send exactly one proof (RFC 9449 section 4.3).',
    );
  }
  return values[0]!.trim();
}
