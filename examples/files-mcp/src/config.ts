import { isAbsolute } from 'node:path';
import { OptionsError, isLoopbackHost, type DpopMode, type RateLimit } from '@valet/core';
import { backupSettings, type BackupSettings } from './internal/backup-settings.js';
import type { ClientCredentials } from './internal/client-credentials.js';
import { introspectionClient } from './internal/introspection-settings.js';
import { presetSettings } from './internal/issuer-shapes.js';
import { dpopMode, rateLimit, redisUrl } from './internal/shared-state-settings.js';

/** The IdP presets `VALET_IDP` can name; `oidc` (discovery from the issuer) is the default. */
export const IDP_NAMES = [
  'oidc',
  'auth0',
  'okta',
  'keycloak',
  'entra',
  'cognito',
  'scalekit',
  'workos',
] as const;

/** A name `VALET_IDP` accepts. */
export type IdpName = (typeof IDP_NAMES)[number];

/** What each preset needs, read off `VALET_ISSUER` (see the README for the shape each expects). */
export type PresetSettings =
  | { readonly idp: 'oidc'; readonly issuer: string }
  | { readonly idp: 'auth0'; readonly domain: string }
  | { readonly idp: 'okta'; readonly issuer: string }
  | { readonly idp: 'keycloak'; readonly url: string; readonly realm: string }
  | { readonly idp: 'entra'; readonly tenantId: string; readonly version: 1 | 2 }
  | { readonly idp: 'cognito'; readonly region: string; readonly userPoolId: string }
  | { readonly idp: 'scalekit'; readonly environmentUrl: string; readonly resourceId?: string }
  | { readonly idp: 'workos'; readonly authkitDomain: string }
  | { readonly idp: 'workos'; readonly clientId: string };

/** The MCP TypeScript SDK generations `VALET_MCP_SDK` can name; `v1` is the default. */
export const MCP_SDKS = ['v1', 'v2'] as const;

/**
 * A name `VALET_MCP_SDK` accepts: `v1` serves 2025-era clients through `@valet/adapters/mcp`,
 * `v2` both protocol eras (2026-07-28 and `initialize`) through `@valet/adapters/mcp-v2`.
 */
export type McpSdk = (typeof MCP_SDKS)[number];

/** No `VALET_ISSUER`: the server starts an embedded development authorization server on 127.0.0.1. */
export interface DevelopmentAuth {
  readonly mode: 'development';
}

/** Tokens come from the authorization server `VALET_ISSUER` names. */
export interface IssuerAuth {
  readonly mode: 'issuer';
  /** `VALET_ISSUER`, as written (a trailing slash matters: it is compared with `iss`). */
  readonly issuer: string;
  readonly preset: PresetSettings;
  /**
   * What tokens must name in `aud`: `VALET_TOKEN_AUDIENCE`, else the resource URL. Empty when the
   * tokens carry no `aud`: Cognito, and WorkOS AuthKit sessions without `VALET_TOKEN_AUDIENCE`.
   */
  readonly tokenAudience: readonly string[];
  /** `VALET_JWKS_URI`: where the signing keys are, instead of discovery or the preset's documented URL. */
  readonly jwksUri: string | undefined;
  /** `VALET_CLIENT_ID`: the app clients whose tokens are accepted (Cognito only). */
  readonly clientIds: readonly string[];
}

/** Where the server listens. */
export interface ListenConfig {
  readonly host: string;
  readonly port: number;
  /** The MCP endpoint: the path of the resource URL. */
  readonly path: string;
}

/** The server's configuration, as {@link loadConfig} reads it from the environment. */
export interface FilesConfig {
  /** `VALET_AUDIENCE`: the resource URL clients call (RFC 8707/9728), e.g. `http://127.0.0.1:3000/mcp`. */
  readonly resource: string;
  readonly listen: ListenConfig;
  /** `FILES_ROOT`: the sandbox directory; undefined for a fresh temporary one with sample files. */
  readonly filesRoot: string | undefined;
  readonly auth: DevelopmentAuth | IssuerAuth;
  /** `VALET_ALLOWED_ORIGINS`: browser origins allowed to call (`*`: any); undefined for Valet's default. */
  readonly allowedOrigins: readonly string[] | '*' | undefined;
  /** `VALET_MCP_SDK`: the MCP SDK the endpoint runs on. */
  readonly mcpSdk: McpSdk;
  /**
   * `VALET_REDIS_URL`: the Redis every instance shares its state through (revocations, DPoP proof
   * ids, rate-limit counters); undefined: that state stays in this process's memory.
   */
  readonly redisUrl: string | undefined;
  /** `VALET_RATE_LIMIT`: how often each caller may call each tool; undefined: no limit. */
  readonly rateLimit: RateLimit | undefined;
  /** `VALET_DPOP`: `off`, `allowed` (the default) or `required` (RFC 9449). */
  readonly dpop: DpopMode;
  /**
   * `FILES_BACKUP_URL` with `VALET_EXCHANGE_CLIENT_ID` / `VALET_EXCHANGE_CLIENT_SECRET`: where
   * `backup_file` copies files to, with exchanged tokens; undefined: the tool is not offered.
   */
  readonly backup: BackupSettings | undefined;
  /**
   * `VALET_INTROSPECTION_CLIENT_ID` / `VALET_INTROSPECTION_CLIENT_SECRET`: the client this server
   * introspects tokens as (RFC 7662, at the endpoint the issuer's metadata names), the answers
   * shared through `VALET_REDIS_URL`; undefined: tokens are verified here as JWTs.
   */
  readonly introspection: ClientCredentials | undefined;
}

/** The environment variables {@link loadConfig} reads. */
export type Environment = Readonly<Record<string, string | undefined>>;

const DEFAULT_PORT = 3000;
const ISSUER_ONLY = ['VALET_IDP', 'VALET_JWKS_URI', 'VALET_TOKEN_AUDIENCE', 'VALET_CLIENT_ID'] as const;

/**
 * Reads and checks the configuration from `env` (pass `process.env`); an empty variable counts
 * as unset. Throws {@link OptionsError} naming the variable (`error.field`) and saying what is
 * expected. Reads nothing but `env`: no files, no network.
 *
 * - `VALET_ISSUER`: the authorization server (https; plain http only on a loopback address).
 *   Unset: development mode, an embedded authorization server on 127.0.0.1, for local use only.
 * - `VALET_AUDIENCE`: the resource URL (required with an issuer; default
 *   `http://127.0.0.1:<PORT>/mcp`). The server serves MCP on its path.
 * - `VALET_IDP`, `VALET_JWKS_URI`, `VALET_TOKEN_AUDIENCE`, `VALET_CLIENT_ID`: see the README.
 * - `PORT` (default: the resource URL's port, else 3000), `HOST` (default `127.0.0.1`),
 *   `FILES_ROOT` (an absolute directory; default a temporary one with sample files).
 * - `VALET_ALLOWED_ORIGINS`: browser origins allowed to call, comma-separated, or `*`.
 * - `VALET_MCP_SDK`: `v1` (default) or `v2`, the MCP SDK the endpoint runs on.
 * - `VALET_REDIS_URL`: `redis://` or `rediss://`, the state shared by every instance (default:
 *   in memory). `VALET_RATE_LIMIT`: `<count>/<seconds>`, the calls of each tool allowed per caller
 *   (default: none). `VALET_DPOP`: `off`, `allowed` (default) or `required`.
 * - `FILES_BACKUP_URL`: the backup API `backup_file` copies to (unset: no such tool);
 *   `VALET_EXCHANGE_CLIENT_ID` and `VALET_EXCHANGE_CLIENT_SECRET`: this server's client at the IdP
 *   that exchanges callers' tokens (required with an issuer; in development mode the embedded
 *   server's own client).
 * - `VALET_INTROSPECTION_CLIENT_ID` and `VALET_INTROSPECTION_CLIENT_SECRET`: check tokens by
 *   introspection (RFC 7662) as this client instead of verifying JWTs (in development mode the
 *   embedded server registers it and issues opaque tokens).
 *
 * @example
 * ```ts
 * const config = loadConfig({ VALET_ISSUER: 'https://example.us.auth0.com/', VALET_IDP: 'auth0',
 *   VALET_AUDIENCE: 'https://files.example.com/mcp', PORT: '8080', HOST: '0.0.0.0' });
 * config.listen; // { host: '0.0.0.0', port: 8080, path: '/mcp' }
 * ```
 */
export function loadConfig(env: Environment): FilesConfig {
  const read = (name: string): string | undefined => (env[name] === '' ? undefined : env[name]);
  const issuer = read('VALET_ISSUER');
  const port = read('PORT') === undefined ? undefined : portNumber(read('PORT')!);
  const host = read('HOST') ?? '127.0.0.1';
  if (!/^(?:[A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\]|[0-9A-Fa-f:.]+)$/.test(host)) {
    throw new OptionsError('HOST', 'HOST must be a host name or an IP address to listen on, like 127.0.0.1.');
  }
  const mcpSdk = sdkName(read('VALET_MCP_SDK'));
  const filesRoot = read('FILES_ROOT');
  if (filesRoot !== undefined && !isAbsolute(filesRoot)) {
    throw new OptionsError('FILES_ROOT', 'FILES_ROOT must be an absolute path to a directory.');
  }

  const audience = read('VALET_AUDIENCE');
  if (issuer === undefined) {
    const stray = ISSUER_ONLY.find((name) => read(name) !== undefined);
    if (stray !== undefined) {
      throw new OptionsError(
        stray,
        `${stray} is set but VALET_ISSUER is not; set VALET_ISSUER to the authorization server it belongs to.`,
      );
    }
  } else if (audience === undefined) {
    throw new OptionsError(
      'VALET_AUDIENCE',
      'VALET_AUDIENCE is required with VALET_ISSUER: the URL clients reach this server at, e.g. https://files.example.com/mcp.',
    );
  }
  const resource = audience ?? `http://127.0.0.1:${port ?? DEFAULT_PORT}/mcp`;
  const resourceUrl = secureUrl('VALET_AUDIENCE', resource);
  const listen = { host, port: listenPort(resourceUrl, port), path: resourceUrl.pathname };
  const allowedOrigins = originList(read('VALET_ALLOWED_ORIGINS'));
  const shared = {
    redisUrl: redisUrl(read('VALET_REDIS_URL')),
    rateLimit: rateLimit(read('VALET_RATE_LIMIT')),
    dpop: dpopMode(read('VALET_DPOP')),
    backup: backupSettings(read, issuer !== undefined),
  };

  if (issuer === undefined) {
    if (!isLoopbackHost(resourceUrl.hostname) || !isLoopbackHost(host)) {
      throw new OptionsError(
        isLoopbackHost(host) ? 'VALET_AUDIENCE' : 'HOST',
        'Without VALET_ISSUER the server uses an embedded development authorization server, which runs on ' +
          '127.0.0.1 only: VALET_AUDIENCE and HOST must then be loopback addresses. Set VALET_ISSUER to use a real one.',
      );
    }
    const introspection = introspectionClient(read, undefined);
    const auth = { mode: 'development' } as const;
    return { resource, listen, filesRoot, auth, allowedOrigins, mcpSdk, ...shared, introspection };
  }
  const auth = issuerAuth(read, issuer, resource);
  const introspection = introspectionClient(read, auth);
  return { resource, listen, filesRoot, auth, allowedOrigins, mcpSdk, ...shared, introspection };
}

/** `VALET_MCP_SDK`: `v1` when unset. */
function sdkName(value: string | undefined): McpSdk {
  if (value === undefined) return 'v1';
  if (!(MCP_SDKS as readonly string[]).includes(value)) {
    throw new OptionsError(
      'VALET_MCP_SDK',
      'VALET_MCP_SDK must be v1 (the MCP SDK v1, 2025-era clients) or v2 (the MCP SDK v2, both protocol eras).',
    );
  }
  return value as McpSdk;
}

/** `VALET_ALLOWED_ORIGINS`: comma-separated origins, or `*`; createValet checks each one. */
function originList(value: string | undefined): readonly string[] | '*' | undefined {
  if (value === undefined) return undefined;
  if (value.trim() === '*') return '*';
  return value
    .split(',')
    .map((origin) => origin.trim())
    .filter((origin) => origin !== '');
}

function issuerAuth(
  read: (name: string) => string | undefined,
  issuer: string,
  resource: string,
): IssuerAuth {
  const idp = read('VALET_IDP') ?? 'oidc';
  if (!(IDP_NAMES as readonly string[]).includes(idp)) {
    throw new OptionsError('VALET_IDP', `VALET_IDP must be one of ${IDP_NAMES.join(', ')}.`);
  }
  const preset = presetSettings(idp as IdpName, issuer, secureUrl('VALET_ISSUER', issuer));
  const jwksUri = read('VALET_JWKS_URI');
  if (jwksUri !== undefined) secureUrl('VALET_JWKS_URI', jwksUri);
  const tokenAudience = list(read('VALET_TOKEN_AUDIENCE'));
  const clientIds = list(read('VALET_CLIENT_ID'));
  if (idp === 'cognito') {
    if (tokenAudience.length > 0) {
      throw new OptionsError(
        'VALET_TOKEN_AUDIENCE',
        'VALET_TOKEN_AUDIENCE does not apply to Cognito, whose access tokens carry no aud; set VALET_CLIENT_ID.',
      );
    }
    if (clientIds.length === 0) {
      throw new OptionsError(
        'VALET_CLIENT_ID',
        'VALET_CLIENT_ID is required with VALET_IDP=cognito: the app client id(s) whose tokens to accept, comma-separated.',
      );
    }
    return { mode: 'issuer', issuer, preset, tokenAudience, jwksUri, clientIds };
  }
  if (clientIds.length > 0) {
    throw new OptionsError('VALET_CLIENT_ID', 'VALET_CLIENT_ID applies only to VALET_IDP=cognito.');
  }
  // AuthKit session tokens (the clientId shape) carry no aud unless a JWT template adds one.
  const sessions = preset.idp === 'workos' && 'clientId' in preset;
  const audience = tokenAudience.length > 0 ? tokenAudience : sessions ? [] : [resource];
  return { mode: 'issuer', issuer, preset, tokenAudience: audience, jwksUri, clientIds };
}

/** An absolute https URL (http only on a loopback address), without credentials, query or fragment. */
function secureUrl(name: string, value: string): URL {
  if (!URL.canParse(value)) {
    throw new OptionsError(name, `${name} must be an absolute URL, like https://files.example.com/mcp.`);
  }
  const url = new URL(value);
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && isLoopbackHost(url.hostname))) {
    throw new OptionsError(
      name,
      `${name} must use https; plain http is accepted only on a loopback address (127.0.0.1, ::1, localhost).`,
    );
  }
  if (url.username !== '' || url.password !== '' || url.search !== '' || url.hash !== '') {
    throw new OptionsError(name, `${name} must not contain credentials, a query or a fragment.`);
  }
  return url;
}

/** `PORT`, else the resource URL's explicit port, else 3000; on loopback the two must agree. */
function listenPort(resource: URL, port: number | undefined): number {
  const explicit = resource.port === '' ? undefined : Number(resource.port);
  if (port !== undefined && isLoopbackHost(resource.hostname)) {
    const reached = explicit ?? (resource.protocol === 'https:' ? 443 : 80);
    if (reached !== port) {
      throw new OptionsError(
        'PORT',
        `PORT is ${port} but VALET_AUDIENCE, a loopback URL, names port ${reached}; clients reach the server ` +
          'directly there, so make them agree (or leave PORT unset).',
      );
    }
  }
  return port ?? explicit ?? DEFAULT_PORT;
}

function portNumber(value: string): number {
  const port = /^\d{1,5}$/.test(value) ? Number(value) : NaN;
  if (!(port >= 1 && port <= 65535)) {
    throw new OptionsError('PORT', 'PORT must be a port number from 1 to 65535.');
  }
  return port;
}

/** A comma-separated list, without blanks. */
function list(value: string | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');
}
