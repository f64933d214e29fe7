import type { PromptArgument, PromptOptions } from '../prompt.js';
import type { ResourceOptions } from '../resource.js';
import type { ToolOptions } from '../tool.js';
import type { Declaration } from './metadata.js';
import { OPERATION_NAME_RULE, isOperationName, snakeCase } from './operation-name.js';

/** The checked options of one declaration, whatever its kind. */
export interface CheckedOptions {
  readonly name: string;
  readonly title: string | undefined;
  readonly description: string;
  /** The options as given, for the kind-specific fields (checked here too). */
  readonly raw: Partial<ToolOptions & ResourceOptions & PromptOptions>;
}

const URI = /^[A-Za-z][A-Za-z0-9+.-]*:\S+$/;

/**
 * Checks the options of `@Tool`, `@Resource` or `@Prompt` on `source` (`FileTools.readFile`),
 * adding a sentence to `problems` for each mistake; undefined when the options are unusable.
 */
export function checkOptions(
  declaration: Declaration,
  member: string,
  source: string,
  problems: Set<string>,
): CheckedOptions | undefined {
  const { kind, written } = declaration;
  const raw = declaration.options as CheckedOptions['raw'] | undefined;
  if (typeof raw !== 'object' || raw === null) {
    problems.add(`${written} on ${source} needs an options object: ${written}({ description: '...' }).`);
    return undefined;
  }
  const count = problems.size;
  const name = raw.name ?? snakeCase(member);
  if (kind === 'resource' ? typeof name !== 'string' || name.trim() === '' : !isOperationName(name)) {
    const what = kind === 'tool' ? 'Tool' : kind === 'prompt' ? 'Prompt' : 'Resource';
    const rule = kind === 'resource' ? 'use a non-empty string' : OPERATION_NAME_RULE;
    const fix = raw.name === undefined ? `; set ${written}({ name })` : '';
    problems.add(`${what} name "${String(name)}" (${source}) is not valid: ${rule}${fix}.`);
  }
  if (typeof raw.description !== 'string' || raw.description.trim() === '') {
    problems.add(
      `${written} on ${source}: "description" must be a non-empty string; it tells clients and models what the ${kind} is for.`,
    );
  }
  if (raw.title !== undefined && typeof raw.title !== 'string') {
    problems.add(`${written} on ${source}: "title" must be a string.`);
  }
  if (kind === 'tool') checkTool(raw, written, source, problems);
  if (kind === 'resource') checkResource(raw, written, source, problems);
  if (kind === 'prompt') checkPrompt(raw.arguments, written, source, problems);
  if (problems.size > count) return undefined;
  return { name, title: raw.title, description: raw.description as string, raw };
}

function checkTool(raw: CheckedOptions['raw'], written: string, source: string, problems: Set<string>): void {
  if (raw.annotations !== undefined && (typeof raw.annotations !== 'object' || raw.annotations === null)) {
    problems.add(`${written} on ${source}: "annotations" must be an object ({ readOnlyHint: true, ... }).`);
  }
  if (raw.input !== undefined && typeof raw.input !== 'function') {
    problems.add(`${written} on ${source}: "input" must be a DTO class.`);
  }
}

function checkResource(
  raw: CheckedOptions['raw'],
  written: string,
  source: string,
  problems: Set<string>,
): void {
  if (typeof raw.uri !== 'string' || !URI.test(raw.uri)) {
    problems.add(
      `${written} on ${source}: "uri" must be a URI with a scheme, like "config://app"; got ${JSON.stringify(raw.uri) ?? 'nothing'}.`,
    );
  }
  if (raw.mimeType !== undefined && (typeof raw.mimeType !== 'string' || raw.mimeType === '')) {
    problems.add(`${written} on ${source}: "mimeType" must be a non-empty string.`);
  }
}

function checkPrompt(args: unknown, written: string, source: string, problems: Set<string>): void {
  if (args === undefined) return;
  const valid =
    Array.isArray(args) &&
    args.every(
      (arg: Partial<PromptArgument> | null) =>
        typeof arg === 'object' &&
        arg !== null &&
        typeof arg.name === 'string' &&
        arg.name !== '' &&
        (arg.description === undefined || typeof arg.description === 'string') &&
        (arg.required === undefined || typeof arg.required === 'boolean'),
    );
  if (!valid) {
    problems.add(
      `${written} on ${source}: "arguments" must be an array of { name, description?, required? } with non-empty names.`,
    );
  }
}
