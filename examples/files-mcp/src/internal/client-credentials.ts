import { OptionsError } from '@valet/core';

/** This server's confidential client at the authorization server (`client_secret_basic`). */
export interface ClientCredentials {
  readonly clientId: string;
  readonly clientSecret: string;
}

/**
 * A client id and secret read from two variables, set together or not at all; undefined when
 * neither is. Half a pair is refused, naming the missing variable (never echoing the secret).
 */
export function clientCredentials(
  read: (name: string) => string | undefined,
  idVariable: string,
  secretVariable: string,
): ClientCredentials | undefined {
  const clientId = read(idVariable);
  const clientSecret = read(secretVariable);
  if (clientId === undefined && clientSecret === undefined) return undefined;
  if (clientId === undefined || clientSecret === undefined) {
    const missing = clientId === undefined ? idVariable : secretVariable;
    throw new OptionsError(
      missing,
      `${missing} is missing: ${idVariable} and ${secretVariable}, this server's client ` +
        'at the authorization server, are set together or not at all.',
    );
  }
  return { clientId, clientSecret };
}
