import { describe, expect, it } from '@jest/globals';
import { OptionsError, allOf, and, anyOf, defineScopes, publicAccess } from '@valet/core';
import { Container, inject, injectable } from 'inversify';
import {
  Controller,
  Delete,
  Downstream,
  Get,
  Patch,
  Post,
  Public,
  Put,
  Requires,
  RequiresAnyScope,
  RequiresScope,
  collectControllers,
  createDecorators,
  resolveController,
  type ControllerDefinition,
} from '../src/index.js';

const scopes = defineScopes({
  'files:read': { description: 'Read files' },
  'files:write': { description: 'Write files', implies: ['files:read'] },
  admin: {},
});

/** `METHOD path -> policy` of every route, for compact assertions. */
function routesOf(definition: ControllerDefinition): Record<string, unknown> {
  return Object.fromEntries(definition.routes.map((r) => [`${r.method} ${r.path}`, r.policy]));
}

describe('collectControllers: routes and their policies', () => {
  it('declares each HTTP method under the controller prefix, AND-ing class and method requirements', () => {
    @Controller('/files')
    @RequiresScope('files:read')
    class FilesController {
      @Get() list(): void {}
      @Get('/:id', { title: 'Read', description: 'Read a file' }) read(): void {}
      @Post('/', { status: 201 }) @RequiresScope('files:write') create(): void {}
      @Put('/:id') @RequiresScope('files:write') replace(): void {}
      @Patch('/:id') @RequiresAnyScope('files:write', 'admin') rename(): void {}
      @Delete('/:id') @RequiresScope('files:write') @RequiresScope('admin') remove(): void {}
    }
    const [files] = collectControllers([FilesController], { catalog: scopes });
    expect(files!.name).toBe('FilesController');
    expect(files!.prefix).toBe('/files');
    expect(routesOf(files!)).toEqual({
      'GET /files': allOf('files:read'),
      'GET /files/:id': allOf('files:read'),
      'POST /files': and(allOf('files:read'), allOf('files:write')),
      'PUT /files/:id': and(allOf('files:read'), allOf('files:write')),
      'PATCH /files/:id': and(allOf('files:read'), anyOf('files:write', 'admin')),
      'DELETE /files/:id': and(allOf('files:read'), allOf('files:write'), allOf('admin')),
    });
    expect(files!.routes[1]).toEqual({
      method: 'GET',
      path: '/files/:id',
      title: 'Read',
      description: 'Read a file',
      status: 200,
      policy: allOf('files:read'),
      handler: 'read',
      source: 'FilesController.read',
      controller: FilesController,
      downstream: [],
    });
    expect(files!.routes[2]!.status).toBe(201);
    expect(Object.isFrozen(files!.routes[0])).toBe(true);
  });

  it('collects the @Downstream needs of a route, base class first; a bad scope list is reported', () => {
    @Controller('/files')
    @RequiresScope('files:read')
    class BackupController {
      @Post('/:id/backup')
      @Downstream('https://backup.example.com', ['backup:write'], { stepUpScope: 'files:backup' })
      @Downstream('api://archive', ['archive:write'])
      backup(): void {}
    }
    const [backup] = collectControllers([BackupController]);
    expect(backup!.routes[0]!.downstream).toEqual([
      { audience: 'https://backup.example.com', scopes: ['backup:write'], stepUpScope: 'files:backup' },
      { audience: 'api://archive', scopes: ['archive:write'] },
    ]);

    @Controller('/bad')
    @RequiresScope('files:read')
    class BadController {
      @Post('/')
      @Downstream('https://backup.example.com', 'backup:write' as unknown as string[])
      run(): void {}
    }
    expect(() => collectControllers([BadController])).toThrow(
      /@Downstream\("https:\/\/backup.example.com"\) on BadController.run: the scopes must be a list of strings/,
    );
  });

  it('roots a controller without prefix at "/"', () => {
    @Controller()
    class RootController {
      @Get() @Public() index(): void {}
      @Get('/health') @Public() health(): void {}
    }
    expect(Object.keys(routesOf(collectControllers([RootController])[0]!))).toEqual(['GET /', 'GET /health']);
  });

  it('opens routes with @Public() on the class or the method, and takes any policy with @Requires', () => {
    @Controller('/docs')
    @Public()
    class DocsController {
      @Get() index(): void {}
      @Get('/admin') @RequiresScope('admin') admin(): void {}
    }
    @Controller('/status')
    class StatusController {
      @Get() @Public() status(): void {}
      @Get('/deep') @Requires(anyOf('admin', 'files:read')) deep(): void {}
    }
    const [docs, status] = collectControllers([DocsController, StatusController]);
    expect(routesOf(docs!)).toEqual({ 'GET /docs': publicAccess(), 'GET /docs/admin': allOf('admin') });
    expect(routesOf(status!)).toEqual({
      'GET /status': publicAccess(),
      'GET /status/deep': anyOf('admin', 'files:read'),
    });
  });

  it('lets a subclass inherit routes and requirements, tighten them, and redeclare an overridden route', () => {
    @Controller('/files')
    @RequiresScope('files:read')
    class FilesController {
      @Get('/:id') read(): void {}
      @Delete('/:id') @RequiresScope('files:write') remove(): void {}
    }
    @Controller('/v2/files')
    @RequiresScope('admin')
    class AdminFilesController extends FilesController {
      @Get('/:id/raw', { description: 'Raw bytes' }) override read(): void {}
      @Get('/audit') audit(): void {}
    }
    const [admin] = collectControllers([AdminFilesController], { catalog: scopes });
    expect(routesOf(admin!)).toEqual({
      'GET /v2/files/:id/raw': and(allOf('files:read'), allOf('admin')),
      'DELETE /v2/files/:id': and(allOf('files:read'), allOf('admin'), allOf('files:write')),
      'GET /v2/files/audit': and(allOf('files:read'), allOf('admin')),
    });
    expect(admin!.routes.map((r) => r.source)).toEqual([
      'AdminFilesController.read',
      'AdminFilesController.remove',
      'AdminFilesController.audit',
    ]);
  });

  it('works with the scope decorators typed by createDecorators', () => {
    const typed = createDecorators(scopes);
    @Controller('/files')
    @typed.RequiresScope('files:read')
    class FilesController {
      @Get() list(): void {}
    }
    expect(routesOf(collectControllers([FilesController], { catalog: scopes })[0]!)).toEqual({
      'GET /files': allOf('files:read'),
    });
  });

  it('refuses a list that is not of classes, and a catalog that is not one, naming the field', () => {
    expect(() => collectControllers([{}] as never)).toThrow(
      expect.objectContaining({ field: 'controllers' }),
    );
    expect(() => collectControllers([], { catalog: {} as never })).toThrow(
      expect.objectContaining({ field: 'catalog' }),
    );
  });
});

@injectable()
class FileStore {
  readonly files = new Map([['a.txt', 'hello']]);
}

@Controller('/files')
@Public()
class StoreController {
  constructor(@inject(FileStore) readonly store: FileStore) {}
  @Get() list(): string[] {
    return [...this.store.files.keys()];
  }
}

describe('resolveController', () => {
  it('builds a controller from the container, injecting its services, without binding it first', () => {
    const container = new Container();
    container.bind(FileStore).toSelf().inSingletonScope();
    const controller = resolveController(StoreController, container);
    expect(controller).toBeInstanceOf(StoreController);
    expect(controller.list()).toEqual(['a.txt']);
    expect(controller.store).toBe(container.get(FileStore));
  });

  it("uses the container's own binding of the controller when there is one", () => {
    const container = new Container();
    container.bind(FileStore).toSelf().inSingletonScope();
    container.bind(StoreController).toSelf().inSingletonScope();
    expect(resolveController(StoreController, container)).toBe(container.get(StoreController));
  });

  it('builds a controller without constructor arguments with new, and refuses one that needs a container', () => {
    @Controller()
    @Public()
    class PlainController {
      @Get() index(): string {
        return 'ok';
      }
    }
    expect(resolveController(PlainController).index()).toBe('ok');
    @Controller('/more')
    class MoreController extends StoreController {}
    for (const needy of [StoreController, MoreController]) {
      expect(() => resolveController(needy)).toThrow(OptionsError);
      expect(() => resolveController(needy)).toThrow(
        `${needy.name} takes constructor arguments; pass the inversify container that builds it.`,
      );
    }
  });
});
