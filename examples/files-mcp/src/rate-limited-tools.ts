import { PolicyRegistry, rateLimited, type RateLimit } from '@valet/core';

/**
 * A frozen copy of `registry` in which every tool's policy is wrapped in `rateLimited(policy,
 * rateLimit.spec, { shared: 'tools/call' })`: how `VALET_RATE_LIMIT` applies one limit to the
 * `tools/call`s of each caller, whichever tools they call, counted in the Valet's store (so across
 * instances that share one). `@RateLimit`
 * takes its limit where the code declares it; this one comes from the environment, so it is added
 * here, where the registry Valet decides with is made. Resources and prompts are copied as they are.
 *
 * @example
 * ```ts
 * const registry = limitEveryTool(container.get(ValetTypes.Registry), parseRateLimit('60/60'));
 * ```
 */
export function limitEveryTool(registry: PolicyRegistry, rateLimit: RateLimit): PolicyRegistry {
  const limited = new PolicyRegistry(registry.catalog === undefined ? {} : { catalog: registry.catalog });
  for (const operation of registry.operations()) {
    limited.register(
      operation.kind === 'tool' && operation.policy !== undefined
        ? { ...operation, policy: rateLimited(operation.policy, rateLimit.spec, { shared: 'tools/call' }) }
        : operation,
    );
  }
  return limited.freeze();
}
