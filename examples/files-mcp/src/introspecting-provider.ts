import {
  IntrospectionVerifier,
  OptionsError,
  discoverAuthorizationServer,
  type IdpPreset,
  type StateStore,
} from '@valet/core';
import type { ClientCredentials } from './internal/client-credentials.js';

/** What {@link introspectingProvider} needs besides the preset. */
export interface IntrospectionSetup {
  /** The issuer whose metadata names the introspection endpoint; answers must carry it in `iss`. */
  readonly issuer: string;
  /** What answers must carry in `aud`: this server. */
  readonly audience: readonly string[];
  /** The client this server introspects as (`client_secret_basic`). */
  readonly client: ClientCredentials;
  /** Where instances share introspection answers (Redis); undefined: this process only. */
  readonly store: StateStore | undefined;
}

/**
 * `idp` with tokens checked by introspection (RFC 7662) instead of JWT verification: at the
 * introspection endpoint the issuer's metadata names (read now, so that a wrong issuer or one
 * without introspection stops the start, naming `VALET_INTROSPECTION_CLIENT_ID`), as `client`.
 * Answers are cached for 60 s at most from when the authorization server gave them, and shared
 * through `store`: one request per token per minute, whatever the number of instances.
 *
 * @example
 * ```ts
 * const idp = await introspectingProvider(identityProvider(config.auth), {
 *   issuer: config.auth.issuer, audience: config.auth.tokenAudience, client: config.introspection, store,
 * });
 * ```
 */
export async function introspectingProvider(idp: IdpPreset, setup: IntrospectionSetup): Promise<IdpPreset> {
  const { issuer, audience, client, store } = setup;
  let endpoint: unknown;
  try {
    endpoint = (await discoverAuthorizationServer(issuer))['introspection_endpoint'];
  } catch (error) {
    throw new OptionsError(
      'VALET_INTROSPECTION_CLIENT_ID',
      `VALET_INTROSPECTION_CLIENT_ID: the metadata of ${issuer}, which names its introspection endpoint, ` +
        `cannot be read (${(error as Error).message.replace(/\.$/, '')}).`,
      { cause: error },
    );
  }
  if (typeof endpoint !== 'string') {
    throw new OptionsError(
      'VALET_INTROSPECTION_CLIENT_ID',
      `VALET_INTROSPECTION_CLIENT_ID is set, but ${issuer} publishes no introspection_endpoint; ` +
        'unset the introspection client to verify its tokens as JWTs.',
    );
  }
  const verifier = new IntrospectionVerifier({
    endpoint,
    clientAuth: client,
    audience,
    issuer,
    ...(store === undefined ? {} : { store }),
  });
  return Object.freeze({ ...idp, verifier });
}
