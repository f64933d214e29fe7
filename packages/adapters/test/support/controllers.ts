import { expect } from '@jest/globals';
import {
  allOf,
  and,
  buildManifest,
  check,
  type Policy,
  type Principal,
  type PolicyRegistry,
} from '@valet/core';
import { Controller, Delete, Get, Post, RequiresScope } from '@valet/decorators';
import { Container, inject, injectable } from 'inversify';

/** The service the controller tests inject: an in-memory file store. */
@injectable()
export class FileStore {
  readonly files = new Map<string, string>([['a.txt', 'hello']]);
}

/** A container with {@link FileStore} as a singleton. */
export function containerWithStore(): Container {
  const container = new Container();
  container.bind(FileStore).toSelf().inSingletonScope();
  return container;
}

/** `files:read`, and the route's `:user` parameter must be the caller: a check that reads the params. */
export const SELF_ONLY: Policy = and(
  allOf('files:read'),
  check('self', (p, ctx) => (ctx.arguments as { params: { user: string } }).params.user === p.subject),
);

/** What the shared controller reads of a request: the fields every adapter's RouteContext has. */
export interface CommonContext {
  readonly principal: Principal | null;
  readonly params: Readonly<Record<string, unknown>>;
  readonly query: Readonly<Record<string, unknown>>;
  readonly body: unknown;
}

/**
 * The `/files` controller both adapters' tests mount: read (files:read), create (files:write,
 * 201) and remove (files:write), which answers through the framework's own response object,
 * as `answerRemoved` does for the adapter under test.
 */
export function filesController<C extends CommonContext>(
  answerRemoved: (ctx: C, id: string) => unknown,
): new (store: FileStore) => object {
  @Controller('/files')
  @RequiresScope('files:read')
  class FilesController {
    constructor(@inject(FileStore) private readonly store: FileStore) {}

    @Get('/:id', { title: 'Read a file', description: 'The content of one file' })
    read(ctx: C): { id: string; content: string | null; owner: string | undefined } {
      const id = String(ctx.params['id']);
      return { id, content: this.store.files.get(id) ?? null, owner: ctx.principal?.subject };
    }

    @Post('/', { description: 'Create a file', status: 201 })
    @RequiresScope('files:write')
    async create(ctx: C): Promise<{ created: string; mode: unknown }> {
      const { name, content } = ctx.body as { name: string; content: string };
      this.store.files.set(name, content);
      return { created: name, mode: ctx.query['mode'] };
    }

    @Delete('/:id')
    @RequiresScope('files:write')
    remove(ctx: C): unknown {
      const id = String(ctx.params['id']);
      this.store.files.delete(id);
      return answerRemoved(ctx, id);
    }
  }
  return FilesController;
}

/** Asserts the manifest built from `registry` lists {@link filesController}'s routes as routes. */
export function expectFilesInManifest(registry: PolicyRegistry): void {
  const manifest = buildManifest(registry);
  expect(manifest.operations.find((op) => op.id === 'DELETE /files/:id')).toMatchObject({
    kind: 'route',
    source: 'FilesController.remove',
    requiredScopes: ['files:read', 'files:write'],
  });
  expect(manifest.operations.find((op) => op.id === 'POST /files')).toMatchObject({
    kind: 'route',
    description: 'Create a file',
  });
  expect(manifest.scopes.find((s) => s.name === 'files:write')!.operations).toEqual([
    'DELETE /files/:id',
    'POST /files',
  ]);
}

/** The registry entry of {@link filesController}'s read route, mounted under `prefix`. */
export function readRouteEntry(prefix: string): Record<string, unknown> {
  const path = `${prefix}/files/:id`;
  return {
    id: `GET ${path}`,
    kind: 'route',
    policy: allOf('files:read'),
    title: 'Read a file',
    description: 'The content of one file',
    source: 'FilesController.read',
    meta: { method: 'GET', path, controller: 'FilesController', handler: 'read' },
  };
}
