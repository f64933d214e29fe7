import {
  CachingVerifier,
  createValet,
  type AuditSink,
  type DpopMode,
  type IdpPreset,
  type PolicyRegistry,
  type RateLimit,
  type StateStore,
  type TokenExchanger,
  type Valet,
} from '@valet/core';
import { ValetTypes, valetContainerModule, type ToolsetDefinition } from '@valet/decorators';
import { Container } from 'inversify';
import { backupToolset } from './backup-tools.js';
import { fileToolsets } from './file-tools.js';
import { limitEveryTool } from './rate-limited-tools.js';
import { Sandbox, SandboxRoot } from './sandbox.js';
import { scopes } from './scopes.js';

/** Options of {@link createFilesApp}. */
export interface FilesAppOptions {
  /** The resource URL clients call (`config.resource`). */
  readonly resource: string;
  /** The sandbox directory, absolute (see `filesRootFor`). */
  readonly filesRoot: string;
  /** The identity provider: its verifier checks tokens, its authorization server is published. */
  readonly idp: IdpPreset;
  /** Where every decision is reported. Default: nowhere. */
  readonly audit?: AuditSink;
  /** Browser origins allowed to call (`VALET_ALLOWED_ORIGINS`); default Valet's (the resource's own, loopback ones for a loopback resource). */
  readonly allowedOrigins?: readonly string[] | '*';
  /**
   * Where revocations, DPoP proof ids and rate-limit counters live: a `redisStateStore` shared by
   * every instance (`VALET_REDIS_URL`). Default: in this process's memory. The caller closes it.
   */
  readonly store?: StateStore;
  /** `VALET_DPOP`: DPoP-bound tokens `off`, `allowed` (default) or `required`. */
  readonly dpop?: DpopMode;
  /** `VALET_RATE_LIMIT`: the limit on each tool, per caller (see {@link limitEveryTool}). Default: none. */
  readonly rateLimit?: RateLimit;
  /**
   * `FILES_BACKUP_URL` and the exchanger that obtains tokens for it: adds `backup_file`. Default:
   * no backup tool.
   */
  readonly backup?: { readonly url: string; readonly exchanger: TokenExchanger };
}

/** Everything the server needs but the MCP HTTP handler. */
export interface FilesApp {
  /** Binds the sandbox, the toolsets and Valet's services (`ValetTypes`). */
  readonly container: Container;
  /** Every tool with its policy; frozen. */
  readonly registry: PolicyRegistry;
  /** Authenticates requests, authorizes operations, answers refusals; serves the resource metadata. */
  readonly valet: Valet;
  /** The toolsets as collected from their decorators, for the MCP binding. */
  readonly toolsets: readonly ToolsetDefinition[];
  /** The sandbox the tools work in. */
  readonly sandbox: Sandbox;
  /** Exchanges callers' tokens for `backup_file`'s downstream one; undefined without a backup API. */
  readonly exchanger: TokenExchanger | undefined;
}

/**
 * Builds the files server's parts: an inversify container with the {@link Sandbox} and the file
 * toolsets (their decorators read and checked against the scope catalog: a policy mistake fails
 * here), the frozen registry (every tool rate-limited when `rateLimit` is given), and the Valet for
 * the resource URL and identity provider. Verified tokens are cached (`CachingVerifier`, at most
 * 5 minutes, never past `exp`); a revocation reaches that cache at once, on every instance that
 * shares the `store`.
 *
 * @example
 * ```ts
 * const app = createFilesApp({ resource: config.resource, filesRoot: root.path, idp: identityProvider(config.auth) });
 * const principal = await app.valet.admit({ authorization: req.headersDistinct.authorization });
 * ```
 */
export function createFilesApp(options: FilesAppOptions): FilesApp {
  const { idp, audit, allowedOrigins, store, dpop, rateLimit, backup } = options;
  // Cached, so that a caller already verified keeps working while a shared store is away.
  const verifier = new CachingVerifier(idp.verifier);
  const container = new Container();
  container.bind(SandboxRoot).toConstantValue(options.filesRoot);
  container.bind(Sandbox).toSelf().inSingletonScope();
  container.load(
    valetContainerModule({
      toolsets: backup === undefined ? fileToolsets : [...fileToolsets, backupToolset(backup.url)],
      catalog: scopes,
      verifier,
      ...(audit === undefined ? {} : { audit }),
    }),
  );
  if (rateLimit !== undefined) {
    const limited = limitEveryTool(container.get(ValetTypes.Registry), rateLimit);
    container.rebind(ValetTypes.Registry).toConstantValue(limited);
  }
  const registry = container.get(ValetTypes.Registry);
  const valet = createValet({
    registry,
    resource: options.resource,
    verifier,
    authorizationServers: [idp.authorizationServer],
    ...(audit === undefined ? {} : { audit }),
    ...(allowedOrigins === undefined ? {} : { allowedOrigins }),
    ...(store === undefined ? {} : { store }),
    ...(dpop === undefined ? {} : { dpop: { mode: dpop } }),
    metadata: { resourceName: 'Valet files-mcp example' },
  });
  valet.freeze();
  return Object.freeze({
    container,
    registry,
    valet,
    toolsets: container.get(ValetTypes.Toolsets),
    sandbox: container.get(Sandbox),
    exchanger: backup?.exchanger,
  });
}
