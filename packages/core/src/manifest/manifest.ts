import type { OperationKind } from '../policy/registry.js';

/** The manifest format version; bumped only for changes a reader must know about. */
export const MANIFEST_VERSION = 1;

/**
 * A policy as JSON data: the {@link Policy} union with each check reduced to its name. A rate
 * limit is not part of it: it is the operation's `rateLimit`.
 */
export type ManifestPolicy =
  | { readonly kind: 'public' }
  | { readonly kind: 'authenticated' }
  | { readonly kind: 'allOf' | 'anyOf'; readonly scopes: readonly string[] }
  | { readonly kind: 'and' | 'or'; readonly policies: readonly ManifestPolicy[] }
  | { readonly kind: 'not'; readonly policy: ManifestPolicy }
  | { readonly kind: 'check'; readonly name: string };

/** How often each caller may perform an operation (`rateLimited()`, `@RateLimit()`). */
export interface ManifestRateLimit {
  /** Calls per window. */
  readonly limit: number;
  readonly windowSeconds: number;
  /** In words: `at most 60 per minute per caller`. */
  readonly text: string;
}

/** A token an operation obtains on the caller's behalf (`@Downstream`): for this API, with these scopes. */
export interface ManifestDownstream {
  /** The downstream API's URL or identifier. */
  readonly audience: string;
  /** The scopes asked for there, as declared. */
  readonly scopes: readonly string[];
}

/** A scope in the manifest. */
export interface ManifestScope {
  readonly name: string;
  /** From the scope catalog; absent for a scope only a policy names. */
  readonly description?: string;
  /** The scopes it implies directly, as declared, sorted. */
  readonly implies: readonly string[];
  /** The scopes that imply it directly, sorted. */
  readonly impliedBy: readonly string[];
  /** Ids of the operations that name it as required or as an alternative, sorted. */
  readonly operations: readonly string[];
}

/** An operation in the manifest. */
export interface ManifestOperation {
  readonly id: string;
  readonly kind: OperationKind;
  readonly title?: string;
  readonly description?: string;
  /** Where it was declared, e.g. `FileTools.write`. */
  readonly source?: string;
  /** Open to everyone, token or not. */
  readonly public: boolean;
  /** Who may call (a rate limit is in {@link ManifestOperation.rateLimit}). */
  readonly policy: ManifestPolicy;
  /** The policy in words (`describePolicy`): `files:write and (admin or owner-of-path)`. */
  readonly policyText: string;
  /** Present only for a rate-limited operation. */
  readonly rateLimit?: ManifestRateLimit;
  /** Scopes named outside any alternative (`or`, multi-scope `anyOf`) and outside `not`: every allowed token has them. */
  readonly requiredScopes: readonly string[];
  /** Scopes named in an alternative: one branch may do without them. */
  readonly alternativeScopes: readonly string[];
  /** Scopes named under `not`. */
  readonly excludedScopes: readonly string[];
  /** Present only for an operation that acts on the caller's behalf downstream, in declaration order. */
  readonly downstream?: readonly ManifestDownstream[];
}

/**
 * The scope manifest: every scope and operation of a registry and how they relate, as
 * deterministic JSON (sorted, no timestamp unless given) that can be committed and compared.
 */
export interface Manifest {
  readonly $schema?: string;
  readonly manifestVersion: typeof MANIFEST_VERSION;
  readonly title: string;
  /** The server's version, when given. */
  readonly version?: string;
  /** ISO 8601, only when given: a timestamp would make every build differ. */
  readonly generatedAt?: string;
  /** Sorted by name. */
  readonly scopes: readonly ManifestScope[];
  /** Sorted by kind (tool, resource, prompt, route), then id. */
  readonly operations: readonly ManifestOperation[];
}

/**
 * The manifest as committed text: two-space JSON with a final newline. Same registry, same
 * options, same bytes, so `git diff --exit-code` tells whether a committed manifest is stale.
 */
export function stringifyManifest(manifest: Manifest): string {
  return `${JSON.stringify(manifest, null, 2)}\n`;
}
