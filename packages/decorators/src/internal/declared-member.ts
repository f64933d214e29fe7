import type { PlacedRequirement } from './member-policy.js';
import { memberSource, type DownstreamRecord, type LineageMember, type MemberRecord } from './metadata.js';
import { decoratorName } from './requirement-decorator.js';

/** A decorator record that declares a member: a `@Tool`, `@Resource` or `@Prompt`, or a route. */
interface Written {
  /** `@Tool`, `@Get`. */
  readonly written: string;
}

/**
 * What {@link declaredMember} reads from one kind of class (toolsets, controllers), and the
 * words its messages use for it.
 */
export interface MemberKind<R extends Written> {
  /** The decorators one class wrote on the member that declare it, top to bottom. */
  declarations(member: MemberRecord): readonly R[];
  /** The problem with a decorator that belongs on the other kind of class (`at`: `Files.read`), if any. */
  misplaced?(member: MemberRecord, at: string): string | undefined;
  /** `an operation`, `a route`. */
  readonly one: string;
  /** `operations`, `routes`. */
  readonly many: string;
  /** What holds the members, as the container resolves it: `toolset`, `controller`. */
  readonly holder: string;
  /** The advice for two declaring decorators on one method: `a method is one operation, so keep one.` */
  readonly twice: string;
  /** The advice for a requirement on a member nothing declares: `the method is not a @Tool; add @Tool(...)`. */
  readonly undeclared: string;
}

/** A member declared along a lineage, its declaration checked. */
export interface DeclaredMember<R extends Written> {
  /** The method name. */
  readonly key: string;
  /** `FileTools.write`, named after the class collected (a subclass, for an inherited member). */
  readonly source: string;
  /** The declaring decorator of the most derived class that declares the member. */
  readonly declaration: R;
  /** The member's requirements along the lineage, base first, each placed on the class that wrote it. */
  readonly requirements: readonly PlacedRequirement[];
  /** The member's `@Downstream` records along the lineage, base first, each placed on the class that wrote it. */
  readonly downstream: readonly PlacedDownstream[];
}

/** A `@Downstream` record and where it was written: `BackupTools.backup`. */
export interface PlacedDownstream {
  readonly record: DownstreamRecord;
  readonly where: string;
}

/**
 * The member `decorated` of `target` as one declared operation or route; undefined when nothing
 * declares it (a requirement on it is then a problem) or when it is declared wrongly: a decorator
 * of the other kind, a static member, two declarations on one method, a symbol or a property.
 * Every such mistake goes into `problems`.
 */
export function declaredMember<R extends Written>(
  target: abstract new (...args: never[]) => unknown,
  decorated: LineageMember,
  kind: MemberKind<R>,
  problems: Set<string>,
): DeclaredMember<R> | undefined {
  const { key, entries } = decorated;
  const declaration = declaringDecorator(decorated, kind, problems);
  if (declaration === undefined) return undefined;
  const source = memberSource(target, key);
  if (typeof key === 'symbol') {
    problems.add(`${declaration.written} on ${source}: ${kind.one} needs a string method name.`);
    return undefined;
  }
  if (typeof (target.prototype as Record<string, unknown>)[key] !== 'function') {
    problems.add(`${declaration.written} on ${source}: only methods can be ${kind.many}.`);
    return undefined;
  }
  const requirements = entries.flatMap(([owner, member]) =>
    member.requirements.map((requirement) => ({ requirement, where: memberSource(owner, key) })),
  );
  const downstream = entries.flatMap(([owner, member]) =>
    member.downstream.map((record) => ({ record, where: memberSource(owner, key) })),
  );
  return { key, source, declaration, requirements, downstream };
}

/** The declaration of the most derived class that declares the member, or undefined with the reason in `problems`. */
function declaringDecorator<R extends Written>(
  { key, entries }: LineageMember,
  kind: MemberKind<R>,
  problems: Set<string>,
): R | undefined {
  let declaring: R | undefined;
  for (const [owner, member] of entries) {
    const at = memberSource(owner, key);
    const misplaced = kind.misplaced?.(member, at);
    if (misplaced !== undefined) {
      problems.add(misplaced);
      return undefined;
    }
    const [one, two] = kind.declarations(member);
    if (one === undefined) continue;
    if (member.isStatic) {
      problems.add(
        `${one.written} on static ${at}: ${kind.many} are instance methods (the ${kind.holder} is resolved from the container); remove "static".`,
      );
      return undefined;
    }
    if (two !== undefined) {
      problems.add(`${at} has both ${one.written} and ${two.written}; ${kind.twice}`);
      return undefined;
    }
    declaring = one;
  }
  if (declaring !== undefined) return declaring;
  const placed = entries.find(([, member]) => member.requirements[0] !== undefined);
  if (placed !== undefined) {
    const [owner, member] = placed;
    problems.add(
      `${decoratorName(member.requirements[0]!.written)} on ${memberSource(owner, key)}: ${kind.undeclared} or move the requirement to the class.`,
    );
  }
  const delegating = entries.find(([, member]) => member.downstream[0] !== undefined);
  if (delegating !== undefined) {
    const [owner, member] = delegating;
    problems.add(
      `${decoratorName(member.downstream[0]!.written)} on ${memberSource(owner, key)}: ${kind.undeclared}.`,
    );
  }
  return undefined;
}
