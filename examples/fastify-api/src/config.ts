import { OptionsError } from '@valet/core';

/** The API's configuration, as {@link loadConfig} reads it from the environment. */
export interface ApiConfig {
  /** `VALET_AUDIENCE`: the resource URL clients call (RFC 8707/9728); tokens must name it in `aud`. */
  readonly resource: string;
  /** `VALET_ISSUER`: the authorization server; undefined for the embedded development one. */
  readonly issuer: string | undefined;
  /** `HOST`: the address to listen on. */
  readonly host: string;
  /** `PORT`: the port to listen on. */
  readonly port: number;
}

const DEFAULT_PORT = 3002;

/**
 * Reads the configuration from `env` (pass `process.env`); an empty variable counts as unset.
 * Throws {@link OptionsError} naming the variable.
 *
 * - `VALET_ISSUER`: the authorization server, found by discovery. Unset: development mode, an
 *   embedded authorization server on 127.0.0.1.
 * - `VALET_AUDIENCE`: the resource URL; required with `VALET_ISSUER`, else
 *   `http://127.0.0.1:<PORT>`.
 * - `PORT` (default 3002), `HOST` (default `127.0.0.1`).
 *
 * @example
 * ```ts
 * loadConfig({ PORT: '8080' }); // { resource: 'http://127.0.0.1:8080', issuer: undefined, host: '127.0.0.1', port: 8080 }
 * ```
 */
export function loadConfig(env: Readonly<Record<string, string | undefined>>): ApiConfig {
  const read = (name: string): string | undefined => (env[name] === '' ? undefined : env[name]);
  const port = read('PORT') === undefined ? DEFAULT_PORT : Number(read('PORT'));
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new OptionsError('PORT', 'PORT must be a port number from 1 to 65535.');
  }
  const issuer = read('VALET_ISSUER');
  const audience = read('VALET_AUDIENCE');
  if (issuer !== undefined && audience === undefined) {
    throw new OptionsError(
      'VALET_AUDIENCE',
      'VALET_AUDIENCE is required with VALET_ISSUER: the URL clients reach this API at, e.g. https://api.example.com.',
    );
  }
  const resource = audience ?? `http://127.0.0.1:${port}`;
  return { resource, issuer, host: read('HOST') ?? '127.0.0.1', port };
}
