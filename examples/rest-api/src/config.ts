import { OptionsError } from '@valet/core';

/** The web frameworks the API runs on. */
export type Framework = 'express' | 'fastify';

/** The API's configuration, as {@link loadConfig} reads it from the arguments and the environment. */
export interface ApiConfig {
  /** The first argument: the framework to serve with. */
  readonly framework: Framework;
  /** `VALET_AUDIENCE`: the resource URL clients call (RFC 8707/9728); tokens must name it in `aud`. */
  readonly resource: string;
  /** `VALET_ISSUER`: the authorization server; undefined for the embedded development one. */
  readonly issuer: string | undefined;
  /** `HOST`: the address to listen on. */
  readonly host: string;
  /** `PORT`: the port to listen on. */
  readonly port: number;
}

/** Each framework's default port, so that both can run side by side. */
const DEFAULT_PORTS: Readonly<Record<Framework, number>> = { express: 3001, fastify: 3002 };

/**
 * Reads the configuration from `args` (pass `process.argv.slice(2)`) and `env` (pass
 * `process.env`); an empty variable counts as unset. Throws {@link OptionsError} naming the
 * argument or variable.
 *
 * - First argument: `express` (the default) or `fastify`.
 * - `VALET_ISSUER`: the authorization server, found by discovery. Unset: development mode, an
 *   embedded authorization server on 127.0.0.1.
 * - `VALET_AUDIENCE`: the resource URL; required with `VALET_ISSUER`, else
 *   `http://127.0.0.1:<PORT>`.
 * - `PORT` (default 3001 for Express, 3002 for Fastify), `HOST` (default `127.0.0.1`).
 *
 * @example
 * ```ts
 * loadConfig(['fastify'], {}); // { framework: 'fastify', resource: 'http://127.0.0.1:3002', issuer: undefined, host: '127.0.0.1', port: 3002 }
 * ```
 */
export function loadConfig(
  args: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
): ApiConfig {
  const framework = args[0] ?? 'express';
  if (framework !== 'express' && framework !== 'fastify') {
    throw new OptionsError('framework', 'Name the framework as the first argument: express or fastify.');
  }
  const read = (name: string): string | undefined => (env[name] === '' ? undefined : env[name]);
  const port = read('PORT') === undefined ? DEFAULT_PORTS[framework] : Number(read('PORT'));
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
  return { framework, resource, issuer, host: read('HOST') ?? '127.0.0.1', port };
}
