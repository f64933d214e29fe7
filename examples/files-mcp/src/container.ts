import { createValet, type AuditSink, type IdpPreset, type PolicyRegistry, type Valet } from '@valet/core';
import { ValetTypes, valetContainerModule, type ToolsetDefinition } from '@valet/decorators';
import { Container } from 'inversify';
import { fileToolsets } from './file-tools.js';
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
}

/**
 * Builds the files server's parts: an inversify container with the {@link Sandbox} and the file
 * toolsets (their decorators read and checked against the scope catalog: a policy mistake fails
 * here), the frozen registry, and the Valet for the resource URL and identity provider.
 *
 * @example
 * ```ts
 * const app = createFilesApp({ resource: config.resource, filesRoot: root.path, idp: identityProvider(config.auth) });
 * const principal = await app.valet.admit({ authorization: req.headersDistinct.authorization });
 * ```
 */
export function createFilesApp(options: FilesAppOptions): FilesApp {
  const { idp, audit, allowedOrigins } = options;
  const container = new Container();
  container.bind(SandboxRoot).toConstantValue(options.filesRoot);
  container.bind(Sandbox).toSelf().inSingletonScope();
  container.load(
    valetContainerModule({
      toolsets: fileToolsets,
      catalog: scopes,
      verifier: idp.verifier,
      ...(audit === undefined ? {} : { audit }),
    }),
  );
  const registry = container.get(ValetTypes.Registry);
  const valet = createValet({
    registry,
    resource: options.resource,
    idp,
    ...(audit === undefined ? {} : { audit }),
    ...(allowedOrigins === undefined ? {} : { allowedOrigins }),
    metadata: { resourceName: 'Valet files-mcp example' },
  });
  valet.freeze();
  return Object.freeze({
    container,
    registry,
    valet,
    toolsets: container.get(ValetTypes.Toolsets),
    sandbox: container.get(Sandbox),
  });
}
