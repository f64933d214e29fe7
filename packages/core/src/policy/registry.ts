import { OptionsError, PolicyConfigError } from '../errors.js';
import { compileOperation, type CompiledOperation } from './compile/compiled-operation.js';
import { rateLimitProblems } from './compile/operation-rate-limit.js';
import { storeCompiled } from './compile/compiled-registry.js';
import { didYouMean } from '../lib/edit-distance.js';
import { lowerFirst, operationLabel } from './compile/reasons.js';
import { SCOPE_TOKEN_RULE, isScopeToken } from '../http/syntax/scope-token.js';
import { policyScopes } from './describe.js';
import { downstreamProblems, type OperationDownstream } from './compile/downstream-needs.js';
import type { OperationKind } from './operation-kind.js';
import type { Policy } from './policy.js';
import { ScopeCatalog } from './scope-catalog.js';

export type { OperationKind };

const KINDS: readonly OperationKind[] = ['tool', 'resource', 'prompt', 'route'];

/** An operation and its policy, as given to {@link PolicyRegistry.register}. */
export interface OperationDefinition {
  /** Unique across the registry: the tool name, `resource:<uri>`, `GET /files`, ... */
  readonly id: string;
  readonly kind: OperationKind;
  /** Required by `freeze()`: default deny is explicit, so an open operation says `publicAccess()`. */
  readonly policy?: Policy;
  readonly title?: string;
  readonly description?: string;
  /**
   * Where it was declared, e.g. `"FileTools.write"` for a decorated method; start-up messages
   * then speak in decorator terms (`@RequiresScope("file:write") on FileTools.write: ...`).
   */
  readonly source?: string;
  /** Anything else to carry along (input schema, annotations, ...); frozen on registration. */
  readonly meta?: Readonly<Record<string, unknown>>;
  /**
   * The tokens the operation obtains on the caller's behalf (`@Downstream`): one per audience,
   * checked by `freeze()` and shown in the manifest.
   */
  readonly downstream?: readonly OperationDownstream[];
}

/** A registered operation: a frozen copy of its definition. */
export type RegisteredOperation = OperationDefinition;

/** Options of {@link PolicyRegistry}. */
export interface PolicyRegistryOptions {
  /** The declared scopes; when given, `freeze()` rejects policies that use undeclared ones. */
  readonly catalog?: ScopeCatalog;
}

/**
 * The one place that maps operation ids to policies. Register every operation at start-up, then
 * `freeze()` (the {@link Authorizer} does it for you): that validates every policy against the
 * catalog, refuses operations without a policy, and compiles each policy once.
 *
 * @example
 * ```ts
 * const registry = new PolicyRegistry({ catalog: scopes })
 *   .register({ id: 'read_file', kind: 'tool', policy: allOf('files:read') })
 *   .register({ id: 'health', kind: 'route', policy: publicAccess() })
 *   .freeze();
 * ```
 */
export class PolicyRegistry {
  /** The scope catalog policies are checked against, if any. */
  readonly catalog: ScopeCatalog | undefined;
  readonly #operations = new Map<string, RegisteredOperation>();
  #frozen = false;

  constructor(options: PolicyRegistryOptions = {}) {
    if (options.catalog !== undefined && !(options.catalog instanceof ScopeCatalog)) {
      throw new OptionsError('catalog', 'catalog must be a ScopeCatalog made by defineScopes().');
    }
    this.catalog = options.catalog;
  }

  /** True once {@link PolicyRegistry.freeze} succeeded. */
  get frozen(): boolean {
    return this.#frozen;
  }

  /** Adds an operation. Throws {@link PolicyConfigError} for a duplicate id, a bad definition, or after `freeze()`. */
  register(def: OperationDefinition): this {
    validateDefinition(def);
    const label = operationLabel(def.kind, def.id);
    if (this.#frozen) {
      throw new PolicyConfigError(
        `Cannot register ${lowerFirst(label)}: the policy registry is frozen. Register every operation before creating the Authorizer.`,
      );
    }
    const existing = this.#operations.get(def.id);
    if (existing !== undefined) throw new PolicyConfigError(duplicateMessage(existing, def));
    const copy: OperationDefinition = {
      ...def,
      ...(def.meta === undefined ? {} : { meta: Object.freeze({ ...def.meta }) }),
      ...(def.downstream === undefined
        ? {}
        : {
            downstream: Object.freeze(
              [...def.downstream].map((need) =>
                Object.freeze({ ...need, scopes: Object.freeze([...need.scopes]) }),
              ),
            ),
          }),
    };
    this.#operations.set(def.id, Object.freeze(copy));
    return this;
  }

  /** The operation registered under `id`. */
  get(id: string): RegisteredOperation | undefined {
    return this.#operations.get(id);
  }

  has(id: string): boolean {
    return this.#operations.has(id);
  }

  /** The operations (of one kind, if given), in registration order. */
  operations(kind?: OperationKind): readonly RegisteredOperation[] {
    const all = [...this.#operations.values()];
    return Object.freeze(kind === undefined ? all : all.filter((op) => op.kind === kind));
  }

  /** The catalog's scopes and every scope a policy names, sorted: what `scopes_supported` lists. */
  scopes(): readonly string[] {
    const found = new Set<string>(this.catalog?.names() ?? []);
    for (const op of this.#operations.values()) {
      if (op.policy !== undefined) for (const scope of policyScopes(op.policy)) found.add(scope);
    }
    return Object.freeze([...found].sort());
  }

  /**
   * Validates and compiles every policy, then refuses further registrations. Every problem is
   * reported at once in one {@link PolicyConfigError}: unknown scopes (with a did-you-mean),
   * operations without a policy, malformed policies. Calling it again does nothing.
   */
  freeze(): this {
    if (this.#frozen) return this;
    const problems = [...this.#operations.values()].flatMap((op) => this.#problems(op));
    if (problems.length === 1) throw new PolicyConfigError(problems[0]!);
    if (problems.length > 1) {
      throw new PolicyConfigError(
        `The policy registry has ${problems.length} problems:\n${problems.map((p) => `- ${p}`).join('\n')}`,
      );
    }
    const catalog = this.catalog;
    const satisfiersOf = (scope: string): readonly string[] =>
      catalog === undefined ? [scope] : [...catalog.satisfiers(scope)];
    const compiled = new Map<string, CompiledOperation>();
    for (const op of this.#operations.values()) {
      compiled.set(op.id, compileOperation(op as RegisteredOperation & { policy: Policy }, satisfiersOf));
    }
    storeCompiled(this, compiled);
    this.#frozen = true;
    return this;
  }

  #problems(op: RegisteredOperation): string[] {
    const label = operationLabel(op.kind, op.id);
    if (op.policy === undefined) {
      return [
        op.source === undefined
          ? `${label} has no policy. Add a scope requirement (allOf(...)) or mark it public (publicAccess()): nothing is open by default.`
          : `${op.source} (${lowerFirst(label)}) has no policy. Add @RequiresScope(...) or @Public(): nothing is open by default.`,
      ];
    }
    const problems: string[] = [];
    const visit = (policy: Policy): void => {
      switch (policy.kind) {
        case 'allOf':
        case 'anyOf':
          if (policy.scopes.length === 0) {
            problems.push(`${where(op, label)}: ${policy.kind}() names no scope. Name at least one scope.`);
          }
          for (const scope of policy.scopes) {
            const problem = this.#scopeProblem(op, label, policy, scope);
            if (problem !== undefined) problems.push(problem);
          }
          return;
        case 'and':
        case 'or':
          if (policy.policies.length === 0) {
            problems.push(`${where(op, label)}: ${policy.kind}() has no policies. Give it at least one.`);
          }
          policy.policies.forEach(visit);
          return;
        case 'not':
          visit(policy.policy);
          return;
        case 'rateLimit': {
          const { limit, windowSeconds } = policy.rateLimit ?? {};
          if (
            !Number.isSafeInteger(limit) ||
            limit! < 1 ||
            !Number.isSafeInteger(windowSeconds) ||
            windowSeconds! < 1
          ) {
            problems.push(
              `${where(op, label)}: a rate limit needs a limit and a window; build it with rateLimited(policy, "60/m").`,
            );
          }
          visit(policy.policy);
          return;
        }
        case 'check':
          if (typeof policy.fn !== 'function' || typeof policy.name !== 'string' || policy.name === '') {
            problems.push(`${where(op, label)}: a check needs a non-empty name and a function.`);
          }
          return;
        case 'public':
        case 'authenticated':
          return;
        default:
          problems.push(
            `${where(op, label)}: "${String((policy as { kind: unknown }).kind)}" is not a policy.`,
          );
      }
    };
    visit(op.policy);
    for (const problem of rateLimitProblems(op.policy)) problems.push(`${where(op, label)}: ${problem}`);
    for (const problem of downstreamProblems(op.downstream, this.catalog)) {
      problems.push(`${where(op, label)}: ${problem}`);
    }
    return problems;
  }

  #scopeProblem(op: RegisteredOperation, label: string, leaf: Policy, scope: string): string | undefined {
    if (!isScopeToken(scope)) {
      return `${where(op, label)}: "${String(scope)}" is not a valid scope. ${SCOPE_TOKEN_RULE}`;
    }
    const catalog = this.catalog;
    if (catalog === undefined || catalog.has(scope)) return undefined;
    const hint = didYouMean(scope, catalog.names(), ' Declare it in the scope catalog.');
    if (op.source === undefined) return `${label} requires unknown scope "${scope}".${hint}`;
    const scopes = (leaf as { scopes: readonly string[] }).scopes;
    const decorator = leaf.kind === 'anyOf' ? 'RequiresAnyScope' : 'RequiresScope';
    const written = `@${decorator}(${scopes.map((s) => `"${s}"`).join(', ')}) on ${op.source}`;
    return scopes.length === 1
      ? `${written}: unknown scope.${hint}`
      : `${written}: unknown scope "${scope}".${hint}`;
  }
}

function where(op: RegisteredOperation, label: string): string {
  return op.source === undefined ? label : `${op.source} (${lowerFirst(label)})`;
}

function duplicateMessage(existing: RegisteredOperation, def: OperationDefinition): string {
  const label = operationLabel(def.kind, def.id);
  if (existing.source === undefined && def.source === undefined) {
    return `${label} is registered twice. Operation ids must be unique.`;
  }
  const first = existing.source ?? 'an earlier registration';
  const second = def.source ?? 'a later registration';
  return `${label} is declared twice: by ${first} and by ${second}. Operation ids must be unique; rename one.`;
}

function validateDefinition(def: OperationDefinition): void {
  if (typeof def !== 'object' || def === null) {
    throw new PolicyConfigError('register() expects an operation definition object.');
  }
  if (typeof def.id !== 'string' || def.id === '') {
    throw new PolicyConfigError('register(): the operation id must be a non-empty string.');
  }
  if (!KINDS.includes(def.kind)) {
    throw new PolicyConfigError(
      `register(): operation "${def.id}" has kind "${String(def.kind)}"; use one of ${KINDS.join(', ')}.`,
    );
  }
}
