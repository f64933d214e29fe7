import 'reflect-metadata';
import type { Policy } from '@valet/core';
import type { HttpMethod } from '../http-method.js';

/**
 * One policy decorator as written: `@Public()`, a policy with the text it was written as and,
 * for `@RequiresScope` / `@RequiresAnyScope`, the scopes it named (checked against the catalog),
 * or `@RateLimit(spec)` (checked at collection).
 */
export type Requirement =
  | { readonly kind: 'public'; readonly written: string }
  | {
      readonly kind: 'policy';
      readonly policy: Policy;
      readonly written: string;
      readonly scopes?: readonly string[];
    }
  | { readonly kind: 'rateLimit'; readonly spec: unknown; readonly written: string };

/** What `@Tool`, `@Resource` or `@Prompt` declared on a method. */
export interface Declaration {
  readonly kind: 'tool' | 'resource' | 'prompt';
  readonly written: string;
  readonly options: unknown;
}

/** What `@Get`, `@Post`, `@Put`, `@Patch` or `@Delete` declared on a method. */
export interface RouteRecord {
  readonly method: HttpMethod;
  /** `@Get`. */
  readonly written: string;
  readonly path: unknown;
  readonly options: unknown;
}

/** What one `@Downstream(audience, scopes, options)` recorded, unchecked. */
export interface DownstreamRecord {
  /** `@Downstream("https://backup.example.com")`. */
  readonly written: string;
  readonly audience: unknown;
  readonly scopes: unknown;
  readonly options: unknown;
}

/** Everything the decorators recorded about one member of one class (not its bases). */
export interface MemberRecord {
  readonly key: string | symbol;
  readonly isStatic: boolean;
  /** Top to bottom as written: decorators run bottom-up, so records are prepended. */
  readonly declarations: Declaration[];
  readonly requirements: Requirement[];
  /** The route decorators on the member, top to bottom. */
  readonly routes: RouteRecord[];
  /** The `@Downstream` decorators on the member, top to bottom. */
  readonly downstream: DownstreamRecord[];
}

/** Everything the decorators recorded about one class itself (not its bases). */
export interface ClassRecord {
  /** `@Toolset()` was applied to the class itself. */
  toolset: boolean;
  /** `@Controller(prefix)` was applied to the class itself, with this prefix (unchecked). */
  controller: { readonly prefix: unknown } | undefined;
  readonly requirements: Requirement[];
  readonly members: Map<string | symbol, MemberRecord>;
}

/**
 * The decorators' registry, in the shape of zod's `$ZodRegistry`: a WeakMap from class to what
 * its decorators declared. Decorators only record; `collectToolsets` and `collectControllers`
 * validate and resolve inheritance, so every misuse is reported at start-up with the full picture.
 */
const records = new WeakMap<object, ClassRecord>();

/** The record of `target` itself, created on first use. */
export function recordOf(target: object): ClassRecord {
  let record = records.get(target);
  if (record === undefined) {
    record = { toolset: false, controller: undefined, requirements: [], members: new Map() };
    records.set(target, record);
  }
  return record;
}

/** The record of `target` itself, if any decorator touched it. */
export function ownRecord(target: object): ClassRecord | undefined {
  return records.get(target);
}

/**
 * The record of the member a method decorator was applied to. A legacy decorator receives the
 * prototype for an instance member and the constructor for a static one.
 */
export function memberRecordOf(target: object, key: string | symbol): MemberRecord {
  const isStatic = typeof target === 'function';
  const owner = isStatic ? target : (target as { constructor: object }).constructor;
  const members = recordOf(owner).members;
  let member = members.get(key);
  if (member === undefined) {
    member = { key, isStatic, declarations: [], requirements: [], routes: [], downstream: [] };
    members.set(key, member);
  }
  return member;
}

/** The classes from the root base down to `target`, each with what its own decorators recorded. */
export function lineage(target: object): (readonly [object, ClassRecord])[] {
  const chain: (readonly [object, ClassRecord])[] = [];
  for (let c: object | null = target; c !== null && c !== Function.prototype; c = Object.getPrototypeOf(c)) {
    const record = records.get(c);
    if (record !== undefined) chain.unshift([c, record]);
  }
  return chain;
}

/** A class of a lineage and what it recorded for one member. */
export type MemberEntry = readonly [object, MemberRecord];

/** One member decorated along a lineage, with the entry of each class that decorates it, base first. */
export interface LineageMember {
  readonly key: string | symbol;
  readonly entries: readonly MemberEntry[];
}

/** Every member decorated along `chain` (see {@link lineage}). */
export function lineageMembers(chain: readonly (readonly [object, ClassRecord])[]): LineageMember[] {
  const keys = new Set(chain.flatMap(([, record]) => [...record.members.keys()]));
  return [...keys].map((key) => ({
    key,
    entries: chain
      .map(([owner, record]) => [owner, record.members.get(key)] as const)
      .filter((entry): entry is MemberEntry => entry[1] !== undefined),
  }));
}

/** The class name used in messages. */
export function className(target: object): string {
  const name = (target as { name?: unknown }).name;
  return typeof name === 'string' && name !== '' ? name : '(anonymous class)';
}

/** `FileTools.write`: how messages name a member. */
export function memberSource(target: object, key: string | symbol): string {
  return `${className(target)}.${String(key)}`;
}
