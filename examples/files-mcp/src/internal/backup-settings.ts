import { OptionsError, isLoopbackHost } from '@valet/core';
import { clientCredentials, type ClientCredentials } from './client-credentials.js';

/** This server's confidential client at the IdP, for token exchange (`client_secret_basic`). */
export type ExchangeClient = ClientCredentials;

/** What `backup_file` needs: where the backup API is, and who this server is at the IdP. */
export interface BackupSettings {
  /** `FILES_BACKUP_URL`, without a trailing slash: the exchanged tokens' audience. */
  readonly url: string;
  /**
   * `VALET_EXCHANGE_CLIENT_ID` / `VALET_EXCHANGE_CLIENT_SECRET`; undefined in development mode
   * without them, where the development authorization server's own client exchanges.
   */
  readonly client: ExchangeClient | undefined;
}

/**
 * `FILES_BACKUP_URL` and the exchange client: undefined when `FILES_BACKUP_URL` is unset (no
 * `backup_file`). The client variables come both or neither, and only with `FILES_BACKUP_URL`;
 * with an issuer they are required, since a real IdP knows nothing of this server otherwise.
 */
export function backupSettings(
  read: (name: string) => string | undefined,
  withIssuer: boolean,
): BackupSettings | undefined {
  const url = read('FILES_BACKUP_URL');
  const client = clientCredentials(read, 'VALET_EXCHANGE_CLIENT_ID', 'VALET_EXCHANGE_CLIENT_SECRET');
  if (url === undefined) {
    if (client !== undefined) {
      throw new OptionsError(
        'VALET_EXCHANGE_CLIENT_ID',
        'VALET_EXCHANGE_CLIENT_ID is set but FILES_BACKUP_URL is not; the exchange client serves backup_file only, ' +
          'so set FILES_BACKUP_URL or unset both client variables.',
      );
    }
    return undefined;
  }
  if (withIssuer && client === undefined) {
    throw new OptionsError(
      'VALET_EXCHANGE_CLIENT_ID',
      'FILES_BACKUP_URL needs VALET_EXCHANGE_CLIENT_ID and VALET_EXCHANGE_CLIENT_SECRET with VALET_ISSUER: the ' +
        'client this server exchanges callers’ tokens as (client_secret_basic), allowed token exchange at the IdP.',
    );
  }
  return { url: backupUrl(url), client };
}

/** An absolute http(s) URL (http only on loopback), without credentials, query or fragment. */
function backupUrl(value: string): string {
  const url = URL.canParse(value) ? new URL(value) : undefined;
  if (url === undefined || (url.protocol !== 'https:' && url.protocol !== 'http:')) {
    throw new OptionsError(
      'FILES_BACKUP_URL',
      'FILES_BACKUP_URL must be the backup API’s absolute base URL, like https://backup.example.com.',
    );
  }
  if (url.protocol === 'http:' && !isLoopbackHost(url.hostname)) {
    throw new OptionsError(
      'FILES_BACKUP_URL',
      'FILES_BACKUP_URL must use https; plain http is accepted only on a loopback address (127.0.0.1, ::1, localhost).',
    );
  }
  if (url.username !== '' || url.password !== '' || url.search !== '' || url.hash !== '') {
    throw new OptionsError(
      'FILES_BACKUP_URL',
      'FILES_BACKUP_URL must not contain credentials, a query or a fragment.',
    );
  }
  return value.replace(/\/+$/, '');
}
