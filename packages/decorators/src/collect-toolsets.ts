import type { Policy, ScopeCatalog } from '@valet/core';
import { inputSchema, type InputSchema } from './input-schema.js';
import { checkOptions, type CheckedOptions } from './internal/declaration-options.js';
import { className, lineage, lineageMembers, ownRecord, type MemberEntry } from './internal/metadata.js';
import { classRequirements, memberPolicy, type PlacedRequirement } from './internal/member-policy.js';
import { collectClasses } from './internal/collect-classes.js';
import { decoratorName } from './internal/requirement-decorator.js';
import { toolInput } from './internal/tool-input.js';
import type { OperationDeclaration, ToolsetClass, ToolsetDefinition } from './toolset-definition.js';

/** Options of {@link collectToolsets}. */
export interface CollectOptions {
  /** When given, every scope named by `@RequiresScope` / `@RequiresAnyScope` must be declared in it. */
  readonly catalog?: ScopeCatalog;
}

const EMPTY_SCHEMA: InputSchema = Object.freeze({
  type: 'object',
  properties: Object.freeze({}),
  additionalProperties: false,
});

/**
 * Reads the decorators of `classes` into definitions: each toolset with its operations (inherited
 * ones included), their policies (class and member requirements AND-ed, base classes first), names,
 * input DTOs and input schemas. Every misuse is reported at once in one {@link PolicyConfigError}:
 * a class without `@Toolset()`, a policy decorator on a method that is not an operation, an
 * operation without a policy (default deny), contradictory `@Public()`, two operations with one
 * name, invalid options or names, an input type that is not a DTO class, and (with a catalog) an
 * unknown scope with a did-you-mean.
 *
 * @example
 * ```ts
 * const [files] = collectToolsets([FileTools], { catalog: scopes });
 * files.operations.map((op) => op.id); // ['read_file', 'write_file']
 * ```
 */
export function collectToolsets(
  classes: readonly ToolsetClass[],
  options: CollectOptions = {},
): readonly ToolsetDefinition[] {
  return collectClasses(classes, options, {
    what: 'toolsets',
    marker: '@Toolset()',
    collectOne,
    findDuplicates,
  });
}

function collectOne(
  target: ToolsetClass,
  catalog: ScopeCatalog | undefined,
  problems: Set<string>,
): ToolsetDefinition | undefined {
  const name = className(target);
  const chain = lineage(target);
  if (ownRecord(target)?.toolset !== true) {
    const base = chain.find(([, record]) => record.toolset)?.[0];
    const declares = chain.some(([, record]) =>
      [...record.members.values()].some((m) => m.declarations.length > 0),
    );
    problems.add(
      base !== undefined
        ? `${name} is not marked @Toolset(); its base ${className(base)} is, but a subclass needs its own @Toolset().`
        : declares
          ? `${name} has @Tool methods but is not marked @Toolset(); add @Toolset() to the class.`
          : `${name} is not a toolset; mark it @Toolset() and declare its operations with @Tool(...).`,
    );
    return undefined;
  }
  const classLevel = classRequirements(chain);
  const operations: OperationDeclaration[] = [];
  for (const [key, entries] of lineageMembers(chain)) {
    const operation = collectMember(target, key, entries, classLevel, catalog, problems);
    if (operation !== undefined) operations.push(operation);
  }
  return Object.freeze({ target, name, operations: Object.freeze(operations) });
}

function collectMember(
  target: ToolsetClass,
  key: string | symbol,
  entries: readonly MemberEntry[],
  classLevel: readonly PlacedRequirement[],
  catalog: ScopeCatalog | undefined,
  problems: Set<string>,
): OperationDeclaration | undefined {
  const at = (owner: object): string => `${className(owner)}.${String(key)}`;
  let declaring: MemberEntry | undefined;
  for (const entry of entries) {
    const [owner, member] = entry;
    const first = member.declarations[0]?.written ?? member.requirements[0]?.written;
    if (member.isStatic) {
      problems.add(
        `${first} on static ${at(owner)}: operations are instance methods (the toolset is resolved from the container); remove "static".`,
      );
      return undefined;
    }
    const [one, two] = member.declarations;
    if (one !== undefined && two !== undefined) {
      problems.add(
        `${at(owner)} has both ${one.written} and ${two.written}; a method is one operation, so keep one.`,
      );
      return undefined;
    }
    if (one !== undefined) declaring = entry;
  }
  if (declaring === undefined) {
    for (const [owner, member] of entries) {
      const requirement = member.requirements[0];
      if (requirement === undefined) continue;
      problems.add(
        `${decoratorName(requirement.written)} on ${at(owner)}: the method is not a @Tool; add @Tool(...) or move the requirement to the class.`,
      );
      break;
    }
    return undefined;
  }
  const declaration = declaring[1].declarations[0]!;
  const source = `${className(target)}.${String(key)}`;
  if (typeof key === 'symbol') {
    problems.add(`${declaration.written} on ${source}: an operation needs a string method name.`);
    return undefined;
  }
  if (typeof (target.prototype as Record<string, unknown>)[key] !== 'function') {
    problems.add(`${declaration.written} on ${source}: only methods can be operations.`);
    return undefined;
  }
  const checked = checkOptions(declaration, key, source, problems);
  const identity = checked === undefined ? undefined : labelOf(declaration.kind, checked);
  const label = identity === undefined ? `${declaration.written} on ${source}` : `${identity} (${source})`;
  const memberLevel = entries.flatMap(([owner, member]) =>
    member.requirements.map((requirement) => ({ requirement, where: at(owner) })),
  );
  const policy = memberPolicy({ label, source, member: key }, classLevel, memberLevel, catalog, problems);
  if (checked === undefined || policy === undefined) return undefined;
  return build(target, key, source, label, declaration.kind, checked, policy, problems);
}

function build(
  target: ToolsetClass,
  method: string,
  source: string,
  label: string,
  kind: 'tool' | 'resource' | 'prompt',
  checked: CheckedOptions,
  policy: Policy,
  problems: Set<string>,
): OperationDeclaration | undefined {
  const { name, title, description, raw } = checked;
  const common = { name, title, description, policy, method, source, toolset: target };
  if (kind === 'resource') {
    const uri = raw.uri as string;
    return Object.freeze({ ...common, kind, id: `resource:${uri}`, uri, mimeType: raw.mimeType });
  }
  if (kind === 'prompt') {
    const args = Object.freeze((raw.arguments ?? []).map((arg) => Object.freeze({ ...arg })));
    return Object.freeze({ ...common, kind, id: `prompt:${name}`, arguments: args });
  }
  const input = toolInput(target.prototype as object, method, raw.input, label, problems);
  let schema = EMPTY_SCHEMA;
  if (input !== undefined) {
    try {
      schema = inputSchema(input);
    } catch (error) {
      problems.add(`${label}: ${(error as Error).message}`);
      return undefined;
    }
  }
  const annotations = raw.annotations === undefined ? undefined : Object.freeze({ ...raw.annotations });
  return Object.freeze({ ...common, kind, id: name, annotations, input, inputSchema: schema });
}

function labelOf(kind: 'tool' | 'resource' | 'prompt', checked: CheckedOptions): string {
  if (kind === 'resource') return `Resource "${String(checked.raw.uri)}"`;
  return `${kind === 'tool' ? 'Tool' : 'Prompt'} "${checked.name}"`;
}

function findDuplicates(definitions: readonly ToolsetDefinition[], problems: Set<string>): void {
  const byId = new Map<string, OperationDeclaration>();
  for (const operation of definitions.flatMap((definition) => definition.operations)) {
    const first = byId.get(operation.id);
    if (first === undefined) {
      byId.set(operation.id, operation);
      continue;
    }
    const [what, field] =
      operation.kind === 'tool'
        ? [`Tool "${operation.name}"`, '@Tool({ name })']
        : operation.kind === 'prompt'
          ? [`Prompt "${operation.name}"`, '@Prompt({ name })']
          : [`Resource "${operation.uri}"`, '@Resource({ uri })'];
    problems.add(
      `${what} is declared twice: by ${first.source} and by ${operation.source}. Names must be unique; rename one with ${field}.`,
    );
  }
}
