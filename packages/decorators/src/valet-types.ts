import type { Authorizer, AuditSink, PolicyRegistry, ScopeCatalog, TokenVerifier } from '@valet/core';
import type { ServiceIdentifier } from 'inversify';
import type { ToolsetDefinition } from './toolset-definition.js';

/**
 * The inversify service identifiers Valet binds (see {@link valetContainerModule}). Each carries
 * its service's type, so `container.get(ValetTypes.Authorizer)` is an `Authorizer`. They are
 * registered symbols (`Symbol.for`), so two copies of this package agree on them.
 *
 * @example
 * ```ts
 * container.rebind(ValetTypes.Verifier).toConstantValue(auth0({ domain, audience }).verifier);
 * @Toolset()
 * class AuditTools { constructor(@inject(ValetTypes.Registry) readonly registry: PolicyRegistry) {} }
 * ```
 */
export const ValetTypes = Object.freeze({
  /** The frozen {@link PolicyRegistry} with every toolset operation registered. */
  Registry: Symbol.for('valet.PolicyRegistry') as ServiceIdentifier<PolicyRegistry>,
  /** The {@link Authorizer} over the registry, reporting to the bound audit sink (singleton). */
  Authorizer: Symbol.for('valet.Authorizer') as ServiceIdentifier<Authorizer>,
  /** The {@link TokenVerifier} (the IdP): rebind it to switch identity providers. */
  Verifier: Symbol.for('valet.TokenVerifier') as ServiceIdentifier<TokenVerifier>,
  /** Where decisions are reported; `noopAuditSink` unless one was given. */
  AuditSink: Symbol.for('valet.AuditSink') as ServiceIdentifier<AuditSink>,
  /** The {@link ScopeCatalog}, bound when one was given. */
  Catalog: Symbol.for('valet.ScopeCatalog') as ServiceIdentifier<ScopeCatalog>,
  /** Every {@link ToolsetDefinition}, in the order the toolsets were listed. */
  Toolsets: Symbol.for('valet.Toolsets') as ServiceIdentifier<readonly ToolsetDefinition[]>,
});
