import { allOf, publicAccess, type Policy, type ScopeOf } from '@valet/core';
import type { FileStore } from './file-store.js';
import type { scopes } from './scopes.js';

/** What a route reads from its request, whatever the framework: the `:name` segment and the JSON body. */
export interface RouteInput {
  /** The `:name` route parameter; `''` on routes without one. */
  readonly name: string;
  readonly body: unknown;
}

/** A route's answer: the status and the JSON body (undefined: an empty body, as for 204). */
export interface RouteAnswer {
  readonly status: number;
  readonly body?: unknown;
}

/** One route of the files API, independent of the framework that serves it. */
export interface FileRoute {
  readonly method: 'get' | 'put' | 'delete';
  /** The path, with `:name` for the file name. */
  readonly path: string;
  /** What a caller needs; the route is registered in the Valet's registry with it. */
  readonly policy: Policy;
  /** What the route does: its description in the manifest. */
  readonly description: string;
  answer(input: RouteInput): RouteAnswer;
}

/** Letters, digits, `.`, `_`, `-`, up to 100 characters, not starting with `.`. */
const FILE_NAME = /^[A-Za-z0-9_-][A-Za-z0-9._-]{0,99}$/;

/** Typed to the catalog: a misspelt scope does not compile. */
const requires = (scope: ScopeOf<typeof scopes>): Policy => allOf(scope);

const NOT_FOUND: RouteAnswer = {
  status: 404,
  body: { error: 'not_found', error_description: 'No file by that name.' },
};

const INVALID_FILE: RouteAnswer = {
  status: 400,
  body: {
    error: 'invalid_request',
    error_description:
      'Send JSON {"content": "<text>"} to a name of letters, digits, ".", "_" and "-" (up to 100, not starting with ".").',
  },
};

/**
 * The routes of the files API on `store`, each with the scope it needs, in one table that the
 * Express and Fastify apps both mount: the frameworks differ only in how a route is declared
 * and an answer sent.
 *
 * @example
 * ```ts
 * const [health] = fileRoutes(createFileStore());
 * health.answer({ name: '', body: undefined }); // { status: 200, body: { status: 'ok' } }
 * ```
 */
export function fileRoutes(store: FileStore): readonly FileRoute[] {
  const ok = (body: unknown): RouteAnswer => ({ status: 200, body });
  return [
    {
      method: 'get',
      path: '/health',
      policy: publicAccess(),
      description: 'Say the API is up',
      answer: () => ok({ status: 'ok' }),
    },
    {
      method: 'get',
      path: '/files',
      policy: requires('files:read'),
      description: 'List the files',
      answer: () => ok({ files: store.list() }),
    },
    {
      method: 'get',
      path: '/files/:name',
      policy: requires('files:read'),
      description: 'Read a file',
      answer: ({ name }) => {
        const file = store.get(name);
        return file === undefined ? NOT_FOUND : ok(file);
      },
    },
    {
      method: 'put',
      path: '/files/:name',
      policy: requires('files:write'),
      description: 'Create or replace a file',
      answer: ({ name, body }) => {
        const content = (body as { content?: unknown } | undefined)?.content;
        if (!FILE_NAME.test(name) || typeof content !== 'string') return INVALID_FILE;
        const created = store.put(name, content);
        return { status: created ? 201 : 200, body: store.get(name) };
      },
    },
    {
      method: 'delete',
      path: '/files/:name',
      policy: requires('files:delete'),
      description: 'Delete a file',
      answer: ({ name }) => (store.delete(name) ? { status: 204 } : NOT_FOUND),
    },
    {
      method: 'get',
      path: '/admin/stats',
      policy: requires('files:admin'),
      description: 'Count the files and their bytes',
      answer: () => ok(store.stats()),
    },
  ];
}
