import type { ScopeCatalog } from '@valet/core';
import type { CollectOptions } from './collect-options.js';
import type { ControllerClass, ControllerDefinition, RouteDeclaration } from './controller-definition.js';
import { collectClasses } from './internal/collect-classes.js';
import { downstreamNeeds } from './internal/downstream-needs.js';
import { declaredMember, type DeclaredMember, type MemberKind } from './internal/declared-member.js';
import type { Identity } from './internal/find-duplicates.js';
import { joinPath } from './internal/join-path.js';
import { classRequirements, memberPolicy, type ClassPolicy } from './internal/member-policy.js';
import { className, lineage, lineageMembers, ownRecord, type RouteRecord } from './internal/metadata.js';
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
    declarationsOf: (definition) => definition.routes,
    identify: routeIdentity,
  });
}

const ROUTES: MemberKind<RouteRecord> = {
  declarations: (member) => member.routes,
  misplaced(member, at) {
    const operation = member.declarations[0];
    if (operation === undefined) return undefined;
    return `${operation.written} on ${at}: a controller declares routes (@Get, @Post, ...); move the ${operation.kind} to a @Toolset() class.`;
  },
  one: 'a route',
  many: 'routes',
  holder: 'controller',
  twice: 'a method is one route, so declare another method for the other.',
  undeclared: 'the method is not a route; add @Get(...), @Post(...), ...',
};

/** What every route of one controller shares. */
interface ControllerContext {
  readonly target: ControllerClass;
  readonly prefix: string;
  readonly owner: ClassPolicy;
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
  const controller: ControllerContext = {
    target,
    prefix,
    owner: { requirements: classRequirements(chain), catalog, holder: 'controller' },
  };
  const routes: RouteDeclaration[] = [];
  for (const decorated of lineageMembers(chain)) {
    const member = declaredMember(target, decorated, ROUTES, problems);
    const route = member === undefined ? undefined : collectRoute(controller, member, problems);
    if (route !== undefined) routes.push(route);
  }
  return Object.freeze({ target, name, prefix, routes: Object.freeze(routes) });
}

function collectRoute(
  controller: ControllerContext,
  member: DeclaredMember<RouteRecord>,
  problems: Set<string>,
): RouteDeclaration | undefined {
  const { key, source, declaration: record } = member;
  const downstream = downstreamNeeds(member.downstream, problems);
  const path = routePath(record, source, problems);
  const options = routeOptions(record, source, problems);
  const full = path === undefined ? undefined : joinPath(controller.prefix, path);
  const label =
    full === undefined ? `${record.written} on ${source}` : `Route "${record.method} ${full}" (${source})`;
  const policy = memberPolicy(
    controller.owner,
    { label, member: key, requirements: member.requirements },
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
    controller: controller.target,
    downstream,
  });
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

function routeIdentity(route: RouteDeclaration): Identity {
  const id = `${route.method} ${route.path}`;
  return {
    id,
    what: `Route "${id}"`,
    fix: 'Routes must be unique; change the path or the method of one.',
  };
}
