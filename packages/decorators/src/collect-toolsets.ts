import type { Policy, ScopeCatalog } from '@valet/core';
import type { CollectOptions } from './collect-options.js';
import { inputSchema, type InputSchema } from './input-schema.js';
import { collectClasses } from './internal/collect-classes.js';
import { checkOptions, type CheckedOptions } from './internal/declaration-options.js';
import { declaredMember, type DeclaredMember, type MemberKind } from './internal/declared-member.js';
import type { Identity } from './internal/find-duplicates.js';
import { downstreamNeeds } from './internal/downstream-needs.js';
import { classRequirements, memberPolicy, type ClassPolicy } from './internal/member-policy.js';
import { className, lineage, lineageMembers, ownRecord, type Declaration } from './internal/metadata.js';
import { toolInput } from './internal/tool-input.js';
import type { OperationDeclaration, ToolsetClass, ToolsetDefinition } from './toolset-definition.js';

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
    declarationsOf: (definition) => definition.operations,
    identify: operationIdentity,
  });
}

const OPERATIONS: MemberKind<Declaration> = {
  declarations: (member) => member.declarations,
  one: 'an operation',
  many: 'operations',
  holder: 'toolset',
  twice: 'a method is one operation, so keep one.',
  undeclared: 'the method is not a @Tool; add @Tool(...)',
};

/** What every operation of one toolset shares. */
interface ToolsetContext {
  readonly target: ToolsetClass;
  readonly owner: ClassPolicy;
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
  const toolset: ToolsetContext = {
    target,
    owner: { requirements: classRequirements(chain), catalog, holder: 'toolset' },
  };
  const operations: OperationDeclaration[] = [];
  for (const decorated of lineageMembers(chain)) {
    const member = declaredMember(target, decorated, OPERATIONS, problems);
    const operation = member === undefined ? undefined : collectOperation(toolset, member, problems);
    if (operation !== undefined) operations.push(operation);
  }
  return Object.freeze({ target, name, operations: Object.freeze(operations) });
}

function collectOperation(
  toolset: ToolsetContext,
  member: DeclaredMember<Declaration>,
  problems: Set<string>,
): OperationDeclaration | undefined {
  const { key, source, declaration } = member;
  const checked = checkOptions(declaration, key, source, problems);
  const identity = checked === undefined ? undefined : labelOf(declaration.kind, checked);
  const label = identity === undefined ? `${declaration.written} on ${source}` : `${identity} (${source})`;
  const policy = memberPolicy(
    toolset.owner,
    { label, member: key, requirements: member.requirements },
    problems,
  );
  if (checked === undefined || policy === undefined) return undefined;
  return build({ toolset: toolset.target, member, label, checked, policy }, problems);
}

/** An operation whose declaration, options and policy are checked, to be built. */
interface CheckedOperation {
  readonly toolset: ToolsetClass;
  readonly member: DeclaredMember<Declaration>;
  /** `Tool "write_file" (FileTools.write)`. */
  readonly label: string;
  readonly checked: CheckedOptions;
  readonly policy: Policy;
}

function build(operation: CheckedOperation, problems: Set<string>): OperationDeclaration | undefined {
  const { toolset, member, label, checked, policy } = operation;
  const { key: method, source, declaration } = member;
  const { kind } = declaration;
  const { name, title, description, raw } = checked;
  const downstream = downstreamNeeds(member.downstream, problems);
  const common = { name, title, description, policy, method, source, toolset, downstream };
  if (kind === 'resource') {
    const uri = raw.uri as string;
    return Object.freeze({ ...common, kind, id: `resource:${uri}`, uri, mimeType: raw.mimeType });
  }
  if (kind === 'prompt') {
    const args = Object.freeze((raw.arguments ?? []).map((arg) => Object.freeze({ ...arg })));
    return Object.freeze({ ...common, kind, id: `prompt:${name}`, arguments: args });
  }
  const prototype = toolset.prototype as object;
  const input = toolInput({ prototype, method, explicit: raw.input, label }, problems);
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

function operationIdentity(operation: OperationDeclaration): Identity {
  const [what, field] =
    operation.kind === 'tool'
      ? [`Tool "${operation.name}"`, '@Tool({ name })']
      : operation.kind === 'prompt'
        ? [`Prompt "${operation.name}"`, '@Prompt({ name })']
        : [`Resource "${operation.uri}"`, '@Resource({ uri })'];
  return { id: operation.id, what, fix: `Names must be unique; rename one with ${field}.` };
}
