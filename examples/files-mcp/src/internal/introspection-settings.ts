import { OptionsError } from '@valet/core';
import type { IssuerAuth } from '../config.js';
import { clientCredentials, type ClientCredentials } from './client-credentials.js';

/**
 * `VALET_INTROSPECTION_CLIENT_ID` / `VALET_INTROSPECTION_CLIENT_SECRET`: the client this server
 * introspects tokens as (RFC 7662); undefined: tokens are verified here as JWTs. With an issuer
 * (`auth`), refuses `VALET_JWKS_URI` (introspected tokens need no keys) and tokens without an
 * `aud` (introspection answers are checked against this server's audience).
 */
export function introspectionClient(
  read: (name: string) => string | undefined,
  auth: IssuerAuth | undefined,
): ClientCredentials | undefined {
  const client = clientCredentials(
    read,
    'VALET_INTROSPECTION_CLIENT_ID',
    'VALET_INTROSPECTION_CLIENT_SECRET',
  );
  if (client === undefined || auth === undefined) return client;
  if (auth.jwksUri !== undefined) {
    throw new OptionsError(
      'VALET_JWKS_URI',
      'VALET_JWKS_URI does not apply with VALET_INTROSPECTION_CLIENT_ID: tokens are then introspected at the ' +
        'authorization server, not verified with its keys; unset one of them.',
    );
  }
  if (auth.tokenAudience.length === 0) {
    throw new OptionsError(
      'VALET_INTROSPECTION_CLIENT_ID',
      `VALET_INTROSPECTION_CLIENT_ID needs tokens that name this server in aud; VALET_IDP=${auth.preset.idp} ` +
        'tokens here carry none (set VALET_TOKEN_AUDIENCE where the provider allows it).',
    );
  }
  return client;
}
