import { OptionsError } from '../errors.js';
import { compareCodePoints, KIND_ORDER } from './render/manifest-matrix.js';
import { describePolicy } from '../policy/describe.js';
import { operationRateLimit, withoutRateLimit } from '../policy/compile/operation-rate-limit.js';
import type { Policy } from '../policy/policy.js';
import { describeRateLimit } from '../policy/rate-limit.js';
import type { PolicyRegistry, RegisteredOperation } from '../policy/registry.js';
import {
  MANIFEST_VERSION,
  type Manifest,
  type ManifestOperation,
  type ManifestPolicy,
  type ManifestScope,
} from './manifest.js';

/** Options of {@link buildManifest}. */
export interface BuildManifestOptions {
  /** Default `"Scope manifest"`. */
  readonly title?: string;
  /** The server's version. */
  readonly version?: string;
  /** Recorded only when given (a timestamp would make every build differ). */
  readonly generatedAt?: string | Date;
  /** A JSON Schema URL for `$schema`. */
  readonly schema?: string;
}

type ScopeUse = 'required' | 'alternative' | 'excluded';
const RANK: Record<ScopeUse, number> = { required: 3, alternative: 2, excluded: 1 };

/**
 * Builds the scope manifest of a registry: scopes (with catalog descriptions and implications,
 * and the operations that need each) and operations (with their policy as data and in words).
 * Freezes the registry first if it is not (as the Authorizer does), so a manifest never
 * documents a registry that would fail at start-up. Deterministic: same registry and options,
 * same manifest. Throws {@link OptionsError} for an invalid option.
 *
 * @example
 * ```ts
 * const manifest = buildManifest(registry, { title: 'Files MCP server', version: '1.4.0' });
 * writeFileSync('scopes.json', stringifyManifest(manifest));
 * writeFileSync('SCOPES.md', renderManifestMarkdown(manifest));
 * ```
 */
export function buildManifest(registry: PolicyRegistry, options: BuildManifestOptions = {}): Manifest {
  const head = header(options);
  registry.freeze();
  const operations = registry
    .operations()
    .map(operationEntry)
    .sort((a, b) => KIND_ORDER.indexOf(a.kind) - KIND_ORDER.indexOf(b.kind) || compareCodePoints(a.id, b.id));
  const catalog = registry.catalog;
  const scopes = [...registry.scopes()].sort(compareCodePoints).map((name): ManifestScope => {
    const info = catalog?.get(name);
    const impliedBy = (catalog?.list() ?? [])
      .filter((other) => other.implies.includes(name))
      .map((o) => o.name);
    const users = operations.filter(
      (op) => op.requiredScopes.includes(name) || op.alternativeScopes.includes(name),
    );
    return Object.freeze({
      name,
      ...(info?.description === undefined ? {} : { description: info.description }),
      implies: sorted(info?.implies ?? []),
      impliedBy: sorted(impliedBy),
      operations: sorted(users.map((op) => op.id)),
    });
  });
  return Object.freeze({ ...head, scopes: Object.freeze(scopes), operations: Object.freeze(operations) });
}

function header(options: BuildManifestOptions): Omit<Manifest, 'scopes' | 'operations'> {
  const { title = 'Scope manifest', version, generatedAt, schema } = options;
  for (const [field, value] of [
    ['title', title],
    ['version', version],
    ['schema', schema],
  ] as const) {
    if (value !== undefined && (typeof value !== 'string' || value.trim() === '')) {
      throw new OptionsError(field, `${field} must be a non-empty string.`);
    }
  }
  let generated: string | undefined;
  if (generatedAt !== undefined) {
    const date = generatedAt instanceof Date ? generatedAt : new Date(generatedAt);
    if (Number.isNaN(date.getTime())) {
      throw new OptionsError('generatedAt', 'generatedAt must be a Date or an ISO 8601 date string.');
    }
    generated = date.toISOString();
  }
  return {
    ...(schema === undefined ? {} : { $schema: schema }),
    manifestVersion: MANIFEST_VERSION,
    title,
    ...(version === undefined ? {} : { version }),
    ...(generated === undefined ? {} : { generatedAt: generated }),
  };
}

function operationEntry(op: RegisteredOperation): ManifestOperation {
  // freeze() has refused every operation without a policy, and limits anywhere but on top.
  const policy = withoutRateLimit(op.policy as Policy);
  const rateLimit = operationRateLimit(op.policy as Policy);
  const uses = new Map<string, ScopeUse>();
  classify(policy, 'required', uses);
  const named = (use: ScopeUse) => sorted([...uses].filter(([, u]) => u === use).map(([scope]) => scope));
  return Object.freeze({
    id: op.id,
    kind: op.kind,
    ...(op.title === undefined ? {} : { title: op.title }),
    ...(op.description === undefined ? {} : { description: op.description }),
    ...(op.source === undefined ? {} : { source: op.source }),
    public: policy.kind === 'public',
    policy: toData(policy),
    policyText: describePolicy(policy),
    ...(rateLimit === undefined
      ? {}
      : {
          rateLimit: Object.freeze({
            limit: rateLimit.limit,
            windowSeconds: rateLimit.windowSeconds,
            text: describeRateLimit(rateLimit),
          }),
        }),
    requiredScopes: named('required'),
    alternativeScopes: named('alternative'),
    excludedScopes: named('excluded'),
    ...(op.downstream === undefined || op.downstream.length === 0
      ? {}
      : {
          downstream: Object.freeze(
            op.downstream.map(({ audience, scopes }) =>
              Object.freeze({ audience, scopes: Object.freeze([...scopes]) }),
            ),
          ),
        }),
  });
}

/** Records how each scope is named: the strongest use wins where a scope appears twice. */
function classify(policy: Policy, use: ScopeUse, uses: Map<string, ScopeUse>): void {
  const branch: ScopeUse = use === 'excluded' ? use : 'alternative';
  switch (policy.kind) {
    case 'allOf':
    case 'anyOf': {
      const as = policy.kind === 'anyOf' && policy.scopes.length > 1 ? branch : use;
      for (const scope of policy.scopes) {
        const before = uses.get(scope);
        if (before === undefined || RANK[as] > RANK[before]) uses.set(scope, as);
      }
      return;
    }
    case 'and':
      for (const child of policy.policies) classify(child, use, uses);
      return;
    case 'or':
      for (const child of policy.policies) classify(child, policy.policies.length > 1 ? branch : use, uses);
      return;
    case 'not':
      classify(policy.policy, 'excluded', uses);
      return;
    case 'rateLimit':
      classify(policy.policy, use, uses);
      return;
    default:
      return;
  }
}

function toData(policy: Policy): ManifestPolicy {
  switch (policy.kind) {
    case 'public':
    case 'authenticated':
      return Object.freeze({ kind: policy.kind });
    case 'allOf':
    case 'anyOf':
      return Object.freeze({ kind: policy.kind, scopes: Object.freeze([...policy.scopes]) });
    case 'and':
    case 'or':
      return Object.freeze({ kind: policy.kind, policies: Object.freeze(policy.policies.map(toData)) });
    case 'not':
      return Object.freeze({ kind: 'not', policy: toData(policy.policy) });
    case 'check':
      return Object.freeze({ kind: 'check', name: policy.name });
    case 'rateLimit':
      return toData(policy.policy);
  }
}

function sorted(values: Iterable<string>): readonly string[] {
  return Object.freeze([...new Set(values)].sort(compareCodePoints));
}
