import {
  Authorizer,
  OptionsError,
  PolicyRegistry,
  ScopeCatalog,
  noopAuditSink,
  type AuditSink,
  type TokenVerifier,
} from '@valet/core';
import { ContainerModule, type Newable } from 'inversify';
import { registerToolsets } from './register-toolsets.js';
import type { ToolsetClass } from './toolset-definition.js';
import { ValetTypes } from './valet-types.js';

/** Options of {@link valetContainerModule}. */
export interface ValetContainerOptions {
  /** The `@Toolset()` classes; each is bound to itself in singleton scope. */
  readonly toolsets: readonly ToolsetClass[];
  /** The declared scopes: unknown scopes then fail at start-up, and implications apply. */
  readonly catalog?: ScopeCatalog;
  /** The token verifier. Without one, nothing is bound under `ValetTypes.Verifier`: bind it yourself. */
  readonly verifier?: TokenVerifier;
  /** Where decisions are reported. Default: none (`noopAuditSink` is bound). */
  readonly audit?: AuditSink;
}

/**
 * An inversify `ContainerModule` that binds Valet's services under {@link ValetTypes} and every
 * toolset class, so toolsets are resolved from the container and their constructors can inject
 * services. The registry is built, filled and frozen when this function runs, so every
 * decorator misuse and unknown scope fails here, at start-up, as a {@link PolicyConfigError}.
 *
 * The authorizer is created on first resolution from the then-bound registry and audit sink;
 * rebind `ValetTypes.AuditSink` before that to change where decisions go. Rebinding
 * `ValetTypes.Verifier` swaps the identity provider for everything resolved afterwards.
 *
 * @example
 * ```ts
 * const container = new Container();
 * container.bind(FileStore).toSelf().inSingletonScope();
 * container.load(valetContainerModule({ toolsets: [FileTools], catalog: scopes, verifier }));
 * const authorizer = container.get(ValetTypes.Authorizer);
 * const tools = resolveToolset(container, FileTools);
 * ```
 */
export function valetContainerModule(options: ValetContainerOptions): ContainerModule {
  if (typeof options !== 'object' || options === null) {
    throw new OptionsError(
      'options',
      'valetContainerModule() needs an options object: { toolsets, catalog?, verifier?, audit? }.',
    );
  }
  const { toolsets, catalog, verifier, audit } = options;
  if (catalog !== undefined && !(catalog instanceof ScopeCatalog)) {
    throw new OptionsError('catalog', 'catalog must be a ScopeCatalog made by defineScopes().');
  }
  if (verifier !== undefined && typeof verifier?.verify !== 'function') {
    throw new OptionsError(
      'verifier',
      'verifier must be a TokenVerifier: an object with a verify(token) method.',
    );
  }
  if (audit !== undefined && typeof audit?.record !== 'function') {
    throw new OptionsError('audit', 'audit must be an AuditSink: an object with a record(event) method.');
  }
  const registry = new PolicyRegistry(catalog === undefined ? {} : { catalog });
  const definitions = registerToolsets(registry, toolsets);
  registry.freeze();
  return new ContainerModule(({ bind }) => {
    bind(ValetTypes.Registry).toConstantValue(registry);
    bind(ValetTypes.Toolsets).toConstantValue(definitions);
    bind(ValetTypes.AuditSink).toConstantValue(audit ?? noopAuditSink);
    bind(ValetTypes.Authorizer)
      .toDynamicValue((context) => {
        const sink = context.get(ValetTypes.AuditSink);
        return new Authorizer(
          context.get(ValetTypes.Registry),
          sink === noopAuditSink ? {} : { audit: sink },
        );
      })
      .inSingletonScope();
    if (catalog !== undefined) bind(ValetTypes.Catalog).toConstantValue(catalog);
    if (verifier !== undefined) bind(ValetTypes.Verifier).toConstantValue(verifier);
    for (const definition of definitions) {
      bind(definition.target as Newable<object>)
        .toSelf()
        .inSingletonScope();
    }
  });
}
