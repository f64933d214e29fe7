import { PolicyConfigError } from '../errors.js';
import { didYouMean, nearest } from '../lib/edit-distance.js';
import { frozenSet } from '../lib/frozen-set.js';
import { SCOPE_TOKEN_RULE, isScopeToken } from '../http/syntax/scope-token.js';
import { allOf, anyOf, type AllOfPolicy, type AnyOfPolicy } from './policy.js';

/** How a scope is declared in {@link defineScopes}. */
export interface ScopeDefinition {
  /** What the scope lets a client do, for people (manifest, consent screens). */
  readonly description?: string;
  /** Scopes this one includes: `files:write` implies `files:read`. Must be declared too; no cycles. */
  readonly implies?: readonly string[];
  /** Asked for in a 401 challenge that has no operation to name (see {@link ScopeCatalog.basicScopes}). */
  readonly basic?: boolean;
}

/** A declared scope, with its implications resolved. */
export interface ScopeInfo {
  readonly name: string;
  readonly description: string | undefined;
  /** The scopes it implies directly, as declared. */
  readonly implies: readonly string[];
  /** Itself and everything it implies, transitively. */
  readonly closure: ReadonlySet<string>;
  /** Asked for in the 401 challenge. */
  readonly basic: boolean;
}

/** The scope names of a catalog type: `ScopeOf<typeof scopes>` is `'files:read' | 'files:write'`. */
export type ScopeOf<C> = C extends ScopeCatalog<infer S> ? S : never;

/**
 * The scopes a server defines, with descriptions and implications. Built once by
 * {@link defineScopes}; the implication closure is computed there, so lookups never walk a graph.
 * A server may run without a catalog: scopes are then plain strings, implying nothing.
 *
 * The type parameter carries the declared names, so {@link ScopeCatalog.allOf} and
 * {@link ScopeCatalog.anyOf} turn a misspelt scope into a compile error.
 *
 * @example
 * ```ts
 * const scopes = defineScopes({
 *   'files:read': { description: 'Read files' },
 *   'files:write': { description: 'Write files', implies: ['files:read'] },
 * });
 * scopes.allOf('files:write');  // AllOfPolicy
 * scopes.allOf('files:raed');   // compile error
 * scopes.satisfiers('files:read'); // Set { 'files:read', 'files:write' }
 * ```
 */
export class ScopeCatalog<S extends string = string> {
  readonly #infos: ReadonlyMap<string, ScopeInfo>;
  readonly #satisfiers: ReadonlyMap<string, ReadonlySet<string>>;
  readonly #names: readonly S[];
  readonly #list: readonly ScopeInfo[];
  readonly #basic: readonly S[];

  private constructor(infos: ReadonlyMap<string, ScopeInfo>) {
    this.#infos = infos;
    this.#list = Object.freeze([...infos.values()]);
    this.#names = Object.freeze(this.#list.map((info) => info.name as S));
    this.#basic = Object.freeze(this.#list.filter((info) => info.basic).map((info) => info.name as S));
    const satisfiers = new Map<string, string[]>();
    for (const info of this.#list) {
      for (const implied of info.closure) {
        const list = satisfiers.get(implied) ?? [];
        list.push(info.name);
        satisfiers.set(implied, list);
      }
    }
    this.#satisfiers = new Map([...satisfiers].map(([name, list]) => [name, frozenSet(list)]));
  }

  /**
   * Declares the scopes. Throws {@link PolicyConfigError} for an invalid name, an implied scope
   * that is not declared (with a did-you-mean), or a cycle in `implies` (naming the cycle).
   */
  static define<const D extends Record<string, ScopeDefinition>>(
    defs: D,
  ): ScopeCatalog<Extract<keyof D, string>> {
    if (typeof defs !== 'object' || defs === null || Array.isArray(defs)) {
      throw new PolicyConfigError('Scope catalog: expected an object mapping scope names to definitions.');
    }
    const names = Object.keys(defs);
    for (const name of names) validateDefinition(name, defs[name], names);
    const closures = new Map<string, ReadonlySet<string>>();
    const closureOf = (name: string, path: readonly string[]): ReadonlySet<string> => {
      const known = closures.get(name);
      if (known !== undefined) return known;
      const at = path.indexOf(name);
      if (at >= 0) {
        const cycle = [...path.slice(at), name].join(' -> ');
        throw new PolicyConfigError(
          `Scope catalog: "implies" has a cycle: ${cycle}. Implications must not loop; remove one of these links.`,
        );
      }
      const closure = new Set([name]);
      for (const implied of defs[name]?.implies ?? []) {
        for (const scope of closureOf(implied, [...path, name])) closure.add(scope);
      }
      const frozen = frozenSet(closure);
      closures.set(name, frozen);
      return frozen;
    };
    const infos = new Map<string, ScopeInfo>();
    for (const name of names) {
      const def = defs[name]!;
      infos.set(
        name,
        Object.freeze({
          name,
          description: def.description,
          implies: Object.freeze([...new Set(def.implies ?? [])]),
          closure: closureOf(name, []),
          basic: def.basic === true,
        }),
      );
    }
    return new ScopeCatalog(infos);
  }

  /** True when `scope` is declared. */
  has(scope: string): scope is S {
    return this.#infos.has(scope);
  }

  /** The declared scope, or undefined. */
  get(scope: string): ScopeInfo | undefined {
    return this.#infos.get(scope);
  }

  /** The declared names, in declaration order. */
  names(): readonly S[] {
    return this.#names;
  }

  /** Every declared scope, in declaration order. */
  list(): readonly ScopeInfo[] {
    return this.#list;
  }

  /**
   * Every scope that satisfies a requirement for `scope`: itself and the declared scopes that
   * imply it. An undeclared scope is satisfied by itself only.
   */
  satisfiers(scope: string): ReadonlySet<string> {
    return this.#satisfiers.get(scope) ?? frozenSet([scope]);
  }

  /** The scopes a principal effectively has: the closure of the granted ones (undeclared ones kept as is). */
  expand(granted: Iterable<string>): ReadonlySet<string> {
    const result = new Set<string>();
    for (const scope of granted) {
      const closure = this.#infos.get(scope)?.closure;
      if (closure === undefined) result.add(scope);
      else for (const implied of closure) result.add(implied);
    }
    return frozenSet(result);
  }

  /**
   * The scopes marked `basic: true`, in declaration order: what a 401 challenge asks for when
   * there is no operation to take the scopes from (e.g. the MCP endpoint itself). Empty when
   * none is marked; the challenge then names no scope and clients fall back to
   * `scopes_supported`. Valet never guesses: asking for more than the author chose would break
   * least privilege.
   */
  basicScopes(): readonly S[] {
    return this.#basic;
  }

  /** The declared scope nearest to `unknown` by edit distance, when one is close enough to be a typo. */
  suggest(unknown: string): string | undefined {
    return nearest(unknown, this.#names);
  }

  /**
   * Throws {@link PolicyConfigError} unless `scope` is declared:
   * `${where}: unknown scope "file:write". Did you mean "files:write"?`
   */
  assertKnown(scope: string, where: string): void {
    if (this.#infos.has(scope)) return;
    throw new PolicyConfigError(
      `${where}: unknown scope "${scope}".${didYouMean(scope, this.#names, ' Declare it in the scope catalog.')}`,
    );
  }

  /**
   * A policy requiring every one of `scopes`; a scope that is not declared is a compile error
   * (and a {@link PolicyConfigError} for untyped callers).
   */
  allOf(...scopes: [S, ...S[]]): AllOfPolicy {
    for (const scope of scopes) this.assertKnown(scope, 'allOf()');
    return allOf(...scopes);
  }

  /** A policy requiring at least one of `scopes`; typed like {@link ScopeCatalog.allOf}. */
  anyOf(...scopes: [S, ...S[]]): AnyOfPolicy {
    for (const scope of scopes) this.assertKnown(scope, 'anyOf()');
    return anyOf(...scopes);
  }
}

function validateDefinition(name: string, def: unknown, names: readonly string[]): void {
  if (!isScopeToken(name)) {
    throw new PolicyConfigError(`Scope catalog: "${name}" is not a valid scope name. ${SCOPE_TOKEN_RULE}`);
  }
  if (typeof def !== 'object' || def === null) {
    throw new PolicyConfigError(`Scope catalog: the definition of "${name}" must be an object.`);
  }
  const { description, implies, basic } = def as Record<string, unknown>;
  if (description !== undefined && typeof description !== 'string') {
    throw new PolicyConfigError(`Scope catalog: the description of "${name}" must be a string.`);
  }
  if (basic !== undefined && typeof basic !== 'boolean') {
    throw new PolicyConfigError(`Scope catalog: "basic" of "${name}" must be a boolean.`);
  }
  if (implies === undefined) return;
  if (!Array.isArray(implies) || implies.some((scope) => typeof scope !== 'string')) {
    throw new PolicyConfigError(`Scope catalog: "implies" of "${name}" must be an array of scope names.`);
  }
  for (const implied of implies as string[]) {
    if (names.includes(implied)) continue;
    throw new PolicyConfigError(
      `Scope catalog: "${name}" implies "${implied}", which is not declared.` +
        didYouMean(implied, names, ` Declare "${implied}" or remove it from "implies".`),
    );
  }
}

/**
 * Declares a server's scopes; the same as {@link ScopeCatalog.define}.
 *
 * @example
 * ```ts
 * export const scopes = defineScopes({
 *   'files:read': { description: 'Read files', basic: true },
 *   'files:write': { description: 'Create and change files', implies: ['files:read'] },
 *   admin: { description: 'Everything', implies: ['files:write'] },
 * });
 * type AppScope = ScopeOf<typeof scopes>; // 'files:read' | 'files:write' | 'admin'
 * ```
 */
export function defineScopes<const D extends Record<string, ScopeDefinition>>(
  defs: D,
): ScopeCatalog<Extract<keyof D, string>> {
  return ScopeCatalog.define(defs);
}
