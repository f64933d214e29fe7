import { and, publicAccess, rateLimited, type Policy, type ScopeCatalog } from '@valet/core';
import { className, type ClassRecord, type Requirement } from './metadata.js';

/** A requirement and where it was written: `FileTools` (class level) or `FileTools.write`. */
export interface PlacedRequirement {
  readonly requirement: Requirement;
  readonly where: string;
}

/** The class-level requirements along a lineage (base first), each placed on the class that wrote it. */
export function classRequirements(chain: readonly (readonly [object, ClassRecord])[]): PlacedRequirement[] {
  return chain.flatMap(([owner, record]) =>
    record.requirements.map((requirement) => ({ requirement, where: className(owner) })),
  );
}

/** What a class contributes to the policy of each of its members. */
export interface ClassPolicy {
  /** The class-level requirements along the lineage (see {@link classRequirements}). */
  readonly requirements: readonly PlacedRequirement[];
  /** When given, every scope a requirement names must be declared in it. */
  readonly catalog: ScopeCatalog | undefined;
  /** What holds the members, for advice: `toolset` or `controller`. */
  readonly holder: string;
}

/** What {@link memberPolicy} needs to know about the member. */
export interface PolicyTarget {
  /** `Tool "write_file" (FileTools.write)`. */
  readonly label: string;
  /** `write`. */
  readonly member: string;
  /** The member's own requirements along the lineage, base first. */
  readonly requirements: readonly PlacedRequirement[];
}

/**
 * The policy of one member: class requirements AND-ed with member requirements, in the
 * order written. Contradictions (public and restricted at once), empty scope lists, unknown
 * scopes (when a catalog is given) and a missing policy are added to `problems`.
 */
export function memberPolicy(
  owner: ClassPolicy,
  target: PolicyTarget,
  problems: Set<string>,
): Policy | undefined {
  const { catalog } = owner;
  const limits = [...owner.requirements, ...target.requirements].filter(isRateLimit);
  const classLevel = owner.requirements.filter((placed) => !isRateLimit(placed));
  const memberLevel = target.requirements.filter((placed) => !isRateLimit(placed));
  const classPublic = classLevel.find(isPublic);
  const memberPublic = memberLevel.find(isPublic);
  const classPolicies = classLevel.filter((placed) => !isPublic(placed));
  const memberPolicies = memberLevel.filter((placed) => !isPublic(placed));
  const clash = (pub: PlacedRequirement, restricted: PlacedRequirement, advice: string): void => {
    problems.add(
      `${pub.requirement.written} on ${pub.where} contradicts ${restricted.requirement.written} on ${restricted.where}: ${advice}`,
    );
  };
  if (classPublic !== undefined && classPolicies[0] !== undefined) {
    clash(
      classPublic,
      classPolicies[0],
      'a class cannot be public and restricted at once. Remove one of them.',
    );
  }
  if (memberPublic !== undefined && memberPolicies[0] !== undefined) {
    clash(
      memberPublic,
      memberPolicies[0],
      'a member cannot be public and restricted at once. Remove one of them.',
    );
  }
  if (memberPublic !== undefined && classPolicies[0] !== undefined && classPublic === undefined) {
    clash(
      memberPublic,
      classPolicies[0],
      `a member cannot loosen its class's requirement. Move ${target.member} to a ${owner.holder} without class-level requirements, or remove @Public().`,
    );
  }
  const policies = [...classPolicies, ...memberPolicies];
  for (const placed of policies) checkScopes(placed, catalog, problems);
  const limit = rateLimitOf(limits, target, problems);
  if (policies.length === 0) {
    if (classPublic !== undefined || memberPublic !== undefined) return limit(publicAccess());
    problems.add(`${target.label} has no policy; add @RequiresScope(...) or @Public().`);
    return undefined;
  }
  const list = policies.map((placed) => (placed.requirement as { policy: Policy }).policy);
  return limit(list.length === 1 ? list[0]! : and(...list));
}

function isRateLimit(placed: PlacedRequirement): boolean {
  return placed.requirement.kind === 'rateLimit';
}

/**
 * Wraps the member's policy in its one `@RateLimit` (on the member or its class); two of them,
 * or a bad spec, is a problem (the policy is then returned unwrapped, and collection fails).
 */
function rateLimitOf(
  limits: readonly PlacedRequirement[],
  target: PolicyTarget,
  problems: Set<string>,
): (policy: Policy) => Policy {
  const [one, two] = limits;
  if (one === undefined) return (policy) => policy;
  if (two !== undefined) {
    problems.add(
      `${target.label} has two rate limits: ${one.requirement.written} on ${one.where} and ${two.requirement.written} on ${two.where}. An operation has one limit; keep one.`,
    );
    return (policy) => policy;
  }
  const { spec, written } = one.requirement as { spec: unknown; written: string };
  return (policy) => {
    try {
      return rateLimited(policy, spec as string);
    } catch (error) {
      problems.add(`${written} on ${one.where}: ${(error as Error).message}`);
      return policy;
    }
  };
}

function isPublic(placed: PlacedRequirement): boolean {
  return placed.requirement.kind === 'public';
}

function checkScopes(
  placed: PlacedRequirement,
  catalog: ScopeCatalog | undefined,
  problems: Set<string>,
): void {
  const { requirement, where } = placed;
  if (requirement.kind !== 'policy' || requirement.scopes === undefined) return;
  if (requirement.scopes.length === 0) {
    problems.add(`${requirement.written} on ${where} names no scope; name at least one.`);
    return;
  }
  if (catalog === undefined) return;
  for (const scope of requirement.scopes) {
    if (typeof scope !== 'string' || catalog.has(scope)) continue;
    try {
      catalog.assertKnown(scope, `${requirement.written} on ${where}`);
    } catch (error) {
      problems.add((error as Error).message);
    }
  }
}
