import { rm } from 'node:fs/promises';
import {
  OptionsError,
  describeRateLimit,
  tokenExchanger,
  type AuditSink,
  type IdpPreset,
  type TokenExchanger,
} from '@valet/core';
import { redisStateStore, type RedisStateStore } from '@valet/redis';
import { startDevAuthorizationServer, type DevAuthorizationServer } from '@valet/testing';
import { BACKUP_SCOPE } from './backup-tools.js';
import type { FilesConfig } from './config.js';
import { createFilesApp, type FilesApp } from './container.js';
import { filesRootFor, type FilesRoot } from './files-root.js';
import { identityProvider } from './identity-provider.js';
import { introspectingProvider } from './introspecting-provider.js';
import { redisEndpoint } from './internal/shared-state-settings.js';
import { scopes } from './scopes.js';

/** Options of {@link prepareFilesServer}. */
export interface PrepareOptions {
  /** Where the start-up lines go. Default `console.log`. */
  readonly log?: (line: string) => void;
  /** Where every decision is reported. Default: nowhere. */
  readonly audit?: AuditSink;
}

/** The files server, ready but for the MCP HTTP handler and the listening socket. */
export interface FilesServerParts {
  readonly app: FilesApp;
  readonly filesRoot: FilesRoot;
  /** The embedded development authorization server, in development mode. */
  readonly devAuthorizationServer: DevAuthorizationServer | undefined;
  /** Stops Valet and the Redis connections, the development authorization server, and removes a temporary sandbox. */
  close(): Promise<void>;
}

/**
 * Prepares everything the server needs from its configuration: the sandbox directory (a
 * temporary one with sample files unless `FILES_ROOT` is set), the identity provider (in
 * development mode, an embedded authorization server started on 127.0.0.1 and announced as
 * development-only; with `VALET_INTROSPECTION_CLIENT_ID`, tokens introspected at the issuer, the
 * answers shared through the store), the state store (Redis with `VALET_REDIS_URL`, which must
 * answer now: an unreachable one fails here, with an {@link OptionsError} naming the variable), the token
 * exchanger for `backup_file` when `FILES_BACKUP_URL` is set, and the {@link FilesApp}.
 *
 * @example
 * ```ts
 * const config = loadConfig(process.env);
 * const parts = await prepareFilesServer(config);
 * // bind parts.app to an MCP server, listen on config.listen; on shutdown: await parts.close();
 * ```
 */
export async function prepareFilesServer(
  config: FilesConfig,
  options: PrepareOptions = {},
): Promise<FilesServerParts> {
  const log = options.log ?? console.log;
  const filesRoot = await filesRootFor(config);
  let devAuthorizationServer: DevAuthorizationServer | undefined;
  let store: RedisStateStore | undefined;
  let app: FilesApp | undefined;
  const close = async () => {
    // Rejects only when Valet never heard the store (a failed start), which leaves nothing to stop.
    await app?.valet.close().catch(() => undefined);
    await store?.close();
    await devAuthorizationServer?.close();
    if (filesRoot.temporary) await rm(filesRoot.path, { recursive: true, force: true });
  };
  try {
    let idp: IdpPreset;
    if (config.auth.mode === 'development') {
      devAuthorizationServer = await startDevAuthorizationServer({
        resources: [
          {
            url: config.resource,
            scopes: scopes.names(),
            // Tokens only introspection can read, when the server introspects.
            accessTokenFormat: config.introspection === undefined ? 'jwt' : 'opaque',
          },
          ...(config.backup === undefined ? [] : [{ url: config.backup.url, scopes: [BACKUP_SCOPE] }]),
        ],
        // Configured exchange and introspection clients are registered, so development mode works as it would.
        clients: [
          ...(config.backup?.client === undefined ? [] : [{ ...config.backup.client, tokenExchange: true }]),
          ...(config.introspection === undefined ? [] : [config.introspection]),
        ],
      });
      const issuer = devAuthorizationServer.issuer;
      idp = identityProvider({
        mode: 'issuer',
        issuer,
        preset: { idp: 'oidc', issuer },
        tokenAudience: [config.resource],
        jwksUri: devAuthorizationServer.jwksUri,
        clientIds: [],
      });
      log(`DEVELOPMENT ONLY: no VALET_ISSUER set, so an embedded authorization server runs at ${issuer}.`);
      log('  It signs everyone in as one user and grants every scope asked for; never use it in production.');
    } else {
      idp = identityProvider(config.auth);
      log(`Tokens: issued by ${idp.issuer} (${idp.name}), for ${config.resource}.`);
    }
    log(
      filesRoot.temporary
        ? `Files: a temporary sandbox with sample files at ${filesRoot.path} (set FILES_ROOT to use your own).`
        : `Files: the sandbox is ${filesRoot.path}.`,
    );
    if (config.redisUrl !== undefined) store = redisStateStore({ url: config.redisUrl });
    const issuer = config.auth.mode === 'issuer' ? config.auth.issuer : devAuthorizationServer!.issuer;
    if (config.introspection !== undefined) {
      const audience = config.auth.mode === 'issuer' ? config.auth.tokenAudience : [config.resource];
      idp = await introspectingProvider(idp, { issuer, audience, client: config.introspection, store });
      log(
        `Tokens: introspected (RFC 7662) at ${issuer} as ${config.introspection.clientId}` +
          (store === undefined ? ', answers cached in this process.' : ', answers shared through Redis.'),
      );
    }
    let backup: { readonly url: string; readonly exchanger: TokenExchanger } | undefined;
    if (config.backup !== undefined) {
      // In development mode without a client of its own, the embedded server's dev-client exchanges.
      const client = config.backup.client ?? devAuthorizationServer!.defaultClient;
      const exchanger = tokenExchanger({
        issuer,
        clientAuth: { clientId: client.clientId, clientSecret: client.clientSecret },
        ...(store === undefined ? {} : { store }),
      });
      backup = { url: config.backup.url, exchanger };
      log(
        `Backup: backup_file copies to ${config.backup.url} with tokens exchanged at ${issuer} as ${client.clientId}.`,
      );
    }
    app = createFilesApp({
      resource: config.resource,
      filesRoot: filesRoot.path,
      idp,
      dpop: config.dpop,
      ...(options.audit === undefined ? {} : { audit: options.audit }),
      ...(config.allowedOrigins === undefined ? {} : { allowedOrigins: config.allowedOrigins }),
      ...(store === undefined ? {} : { store }),
      ...(config.rateLimit === undefined ? {} : { rateLimit: config.rateLimit }),
      ...(backup === undefined ? {} : { backup }),
    });
    if (config.redisUrl !== undefined) await sharedStateReady(app, config.redisUrl, log);
    if (config.rateLimit !== undefined) {
      log(`Rate limit: every tool, ${describeRateLimit(config.rateLimit)} (VALET_RATE_LIMIT).`);
    }
    return { app, filesRoot, devAuthorizationServer, close };
  } catch (error) {
    await close();
    throw error;
  }
}

/** Waits until Valet hears revocations through Redis: an unreachable Redis stops the start here. */
async function sharedStateReady(app: FilesApp, url: string, log: (line: string) => void): Promise<void> {
  const endpoint = redisEndpoint(url);
  try {
    await app.valet.ready();
  } catch (error) {
    throw new OptionsError(
      'VALET_REDIS_URL',
      `VALET_REDIS_URL: Redis at ${endpoint} cannot be reached (${(error as Error).message.replace(/\.$/, '')}); start it, or fix the URL.`,
      { cause: error },
    );
  }
  log(`State: shared through Redis at ${endpoint} (revocations, DPoP proof ids, rate-limit counters).`);
}
