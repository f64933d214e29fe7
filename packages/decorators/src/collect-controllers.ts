import type { ScopeCatalog } from '@valet/core';
import type { CollectOptions } from './collect-toolsets.js';
import type { ControllerClass, ControllerDefinition, RouteDeclaration } from './controller-definition.js';
import { classRequirements, memberPolicy, type PlacedRequirement } from './internal/member-policy.js';
import {
  className,
  lineage,
  lineageMembers,
  ownRecord,
  type MemberEntry,
  type RouteRecord,
} from './internal/metadata.js';
import { collectClasses } from './internal/collect-classes.js';
import { decoratorName } from './internal/requirement-decorator.js';
import type { RouteOptions } from './route.js';

/**
 * Reads the decorators of `classes` into controller definitions: each controller with its routes
 * (inherited ones included), their full paths and policies, composed as for toolsets (class and
 * member requirements AND-ed, base classes first). Every misuse is reported at once in one
 * `PolicyConfigError`, naming the method (`FilesController.remove`): a class without
 * `@Controller()`, a bad prefix or path, a policy decorator on a method that is not a route, a
 * route without a policy (default deny), contradictory `@Public()`, two routes with one method
 * and path, invalid options, and (with a catalog) an unknown scope with a did-you-mean.
 *
 * @example
 * ```ts
 * const [files] = collectControllers([FilesController], { catalog: scopes });
 * files.routes.map((r) => `${r.method} ${r.path}`); // ['GET /files/:id', 'DELETE /files/:id']
 * ```
 */
export function collectControllers(
  classes: readonly ControllerClass[],
  options: CollectOptions = {},
): readonly ControllerDefinition[] {
  return collectClasses(classes, options, {
    what: 'controllers',
    marker: '@Controller()',
    collectOne,
    findDuplicates,
  });
}

function collectOne(
  target: ControllerClass,
  catalog: ScopeCatalog | undefined,
  problems: Set<string>,
): ControllerDefinition | undefined {
  const name = className(target);
  const chain = lineage(target);
  const mark = ownRecord(target)?.controller;
  if (mark === undefined) {
    const base = chain.find(([, record]) => record.controller !== undefined)?.[0];
    const declares = chain.some(([, record]) =>
      [...record.members.values()].some((m) => m.routes.length > 0),
    );
    problems.add(
      base !== undefined
        ? `${name} is not marked @Controller(); its base ${className(base)} is, but a subclass needs its own @Controller().`
        : declares
          ? `${name} has route methods (@Get, @Post, ...) but is not marked @Controller(); add @Controller('/prefix') to the class.`
          : `${name} is not a controller; mark it @Controller() and declare its routes with @Get(...), @Post(...), ...`,
    );
    return undefined;
  }
  const prefix = mark.prefix;
  if (typeof prefix !== 'string' || (prefix !== '' && (!prefix.startsWith('/') || prefix.endsWith('/')))) {
    problems.add(
      `@Controller(${JSON.stringify(prefix) ?? String(prefix)}) on ${name}: the prefix must be "" or a path like "/files" (leading "/", no trailing "/").`,
    );
    return undefined;
  }
  const classLevel = classRequirements(chain);
  const routes: RouteDeclaration[] = [];
  for (const [key, entries] of lineageMembers(chain)) {
    const route = collectRoute(target, key, entries, prefix, classLevel, catalog, problems);
    if (route !== undefined) routes.push(route);
  }
  return Object.freeze({ target, name, prefix, routes: Object.freeze(routes) });
}

function collectRoute(
  target: ControllerClass,
  key: string | symbol,
  entries: readonly MemberEntry[],
  prefix: string,
  classLevel: readonly PlacedRequirement[],
  catalog: ScopeCatalog | undefined,
  problems: Set<string>,
): RouteDeclaration | undefined {
  const declaring = declaringEntry(key, entries, problems);
  if (declaring === undefined) return undefined;
  const record = declaring[1].routes[0]!;
  const source = `${className(target)}.${String(key)}`;
  if (typeof key === 'symbol') {
    problems.add(`${record.written} on ${source}: a route needs a string method name.`);
    return undefined;
  }
  if (typeof (target.prototype as Record<string, unknown>)[key] !== 'function') {
    problems.add(`${record.written} on ${source}: only methods can be routes.`);
    return undefined;
  }
  const path = routePath(record, source, problems);
  const options = routeOptions(record, source, problems);
  const full = path === undefined ? undefined : joinPath(prefix, path);
  const label =
    full === undefined ? `${record.written} on ${source}` : `Route "${record.method} ${full}" (${source})`;
  const memberLevel = entries.flatMap(([owner, member]) =>
    member.requirements.map((requirement) => ({ requirement, where: `${className(owner)}.${key}` })),
  );
  const policy = memberPolicy(
    { label, source, member: key, holder: 'controller' },
    classLevel,
    memberLevel,
    catalog,
    problems,
  );
  if (full === undefined || options === undefined || policy === undefined) return undefined;
  return Object.freeze({
    method: record.method,
    path: full,
    title: options.title,
    description: options.description,
    status: options.status ?? 200,
    policy,
    handler: key,
    source,
    controller: target,
  });
}

/** The class whose route decorator declares the member (the most derived), or undefined with the reason in `problems`. */
function declaringEntry(
  key: string | symbol,
  entries: readonly MemberEntry[],
  problems: Set<string>,
): MemberEntry | undefined {
  const at = (owner: object): string => `${className(owner)}.${String(key)}`;
  let declaring: MemberEntry | undefined;
  for (const entry of entries) {
    const [owner, member] = entry;
    const operation = member.declarations[0];
    if (operation !== undefined) {
      problems.add(
        `${operation.written} on ${at(owner)}: a controller declares routes (@Get, @Post, ...); move the ${operation.kind} to a @Toolset() class.`,
      );
      return undefined;
    }
    const [one, two] = member.routes;
    if (member.isStatic && one !== undefined) {
      problems.add(
        `${one.written} on static ${at(owner)}: routes are instance methods (the controller is resolved from the container); remove "static".`,
      );
      return undefined;
    }
    if (one !== undefined && two !== undefined) {
      problems.add(
        `${at(owner)} has both ${one.written} and ${two.written}; a method is one route, so declare another method for the other.`,
      );
      return undefined;
    }
    if (one !== undefined) declaring = entry;
  }
  if (declaring !== undefined) return declaring;
  const placed = entries.find(([, member]) => member.requirements[0] !== undefined);
  if (placed !== undefined) {
    problems.add(
      `${decoratorName(placed[1].requirements[0]!.written)} on ${at(placed[0])}: the method is not a route; add @Get(...), @Post(...), ... or move the requirement to the class.`,
    );
  }
  return undefined;
}

function routePath(record: RouteRecord, source: string, problems: Set<string>): string | undefined {
  const { path } = record;
  if (typeof path === 'string' && (path === '' || path.startsWith('/'))) return path;
  problems.add(
    `${record.written}(${JSON.stringify(path) ?? String(path)}) on ${source}: the path must be "" or start with "/", like "/:id".`,
  );
  return undefined;
}

function routeOptions(record: RouteRecord, source: string, problems: Set<string>): RouteOptions | undefined {
  const raw = record.options as RouteOptions | null | undefined;
  if (raw === undefined) return {};
  const where = `${record.written} on ${source}`;
  if (typeof raw !== 'object' || raw === null) {
    problems.add(`${where}: the options must be an object ({ title?, description?, status? }).`);
    return undefined;
  }
  const count = problems.size;
  if (raw.title !== undefined && typeof raw.title !== 'string') {
    problems.add(`${where}: "title" must be a string.`);
  }
  if (
    raw.description !== undefined &&
    (typeof raw.description !== 'string' || raw.description.trim() === '')
  ) {
    problems.add(`${where}: "description" must be a non-empty string.`);
  }
  const { status } = raw;
  if (status !== undefined && !(Number.isInteger(status) && status >= 200 && status <= 299)) {
    problems.add(`${where}: "status" must be an integer from 200 to 299; got ${String(status)}.`);
  }
  return problems.size > count ? undefined : raw;
}

/** `/files` + `/:id` -> `/files/:id`; `/files` + `/` -> `/files`; `''` + `''` -> `/`. */
function joinPath(prefix: string, path: string): string {
  const full = `${prefix}${path === '/' ? '' : path}`;
  return full === '' ? '/' : full;
}

function findDuplicates(definitions: readonly ControllerDefinition[], problems: Set<string>): void {
  const byId = new Map<string, RouteDeclaration>();
  for (const route of definitions.flatMap((definition) => definition.routes)) {
    const id = `${route.method} ${route.path}`;
    const first = byId.get(id);
    if (first === undefined) {
      byId.set(id, route);
      continue;
    }
    problems.add(
      `Route "${id}" is declared twice: by ${first.source} and by ${route.source}. Routes must be unique; change the path or the method of one.`,
    );
  }
}
