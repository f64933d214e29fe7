import { createServer } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { OptionsError, PolicyConfigError, allOf } from '@valet/core';
import {
  Controller,
  Delete,
  Get,
  Public,
  Requires,
  RequiresScope,
  type ControllerClass,
} from '@valet/decorators';
import {
  valetExpress,
  type ControllersOptions,
  type RouteContext,
  type ValetExpress,
} from '@valet/adapters/express';
import express from 'express';
import {
  exchange,
  parseChallenge,
  type WireRequest,
  type WireResponse,
} from '../conformance/http-exchange.js';
import {
  FileStore,
  SELF_ONLY,
  containerWithStore,
  expectFilesInManifest,
  filesController,
  readRouteEntry,
} from '../support/controllers.js';
import { adapterFixture, listen, type AdapterFixture } from '../support/fixture.js';

const FilesController = filesController<RouteContext>((ctx) => void ctx.res.status(204).end());

@Controller()
@Public()
class HealthController {
  @Get('/health') health(ctx: RouteContext): { ok: true; anonymous: boolean } {
    return { ok: true, anonymous: ctx.principal === null };
  }

  @Get('/boom') async boom(): Promise<never> {
    throw new Error('boom');
  }
}

let fixture: AdapterFixture;

beforeAll(async () => {
  fixture = await adapterFixture();
});

afterAll(() => fixture.close());

/** An app with the controllers mounted, Valet's error handler, then a last handler for other errors. */
function appWith(
  classes: readonly ControllerClass[],
  options: ControllersOptions = { container: containerWithStore() },
): { api: ValetExpress; app: express.Express } {
  const api = valetExpress(fixture.valet());
  const app = express().use(express.json());
  api.controllers(app, classes, options);
  app.use(api.errorHandler());
  app.use((err: Error, _req: express.Request, res: express.Response, _next: express.NextFunction) => {
    res.status(500).send(`unhandled: ${err.message}`);
  });
  return { api, app };
}

async function call(app: express.Express, ...requests: WireRequest[]): Promise<WireResponse[]> {
  const server = await listen(createServer(app));
  try {
    return await Promise.all(requests.map((req) => exchange(server.baseUrl, req)));
  } finally {
    await server.close();
  }
}

const request = (method: string, path: string, token?: string, body?: unknown): WireRequest => ({
  method,
  path,
  headers: [
    ...(token === undefined ? [] : [['Authorization', `Bearer ${token}`] as const]),
    ...(body === undefined ? [] : [['Content-Type', 'application/json'] as const]),
  ],
  ...(body === undefined ? {} : { body: JSON.stringify(body) }),
});

describe('controllers(): enforcing over a real socket', () => {
  it('calls the method of an allowed request and sends its return value as JSON', async () => {
    const { app } = appWith([FilesController]);
    const [res] = await call(
      app,
      request('GET', '/files/a.txt', await fixture.token(['files:read'], 'alice')),
    );
    expect(res!.status).toBe(200);
    expect(res!.headers['content-type']).toMatch(/^application\/json/);
    expect(JSON.parse(res!.body)).toEqual({ id: 'a.txt', content: 'hello', owner: 'alice' });
  });

  it('sends an async result with the declared status, and lets a method answer through ctx.res', async () => {
    const { app } = appWith([FilesController]);
    const token = await fixture.token(['files:read', 'files:write']);
    const [created, removed] = await call(
      app,
      request('POST', '/files', token, { name: 'b.txt', content: 'new' }),
      request('DELETE', '/files/a.txt', token),
    );
    expect(created!.status).toBe(201);
    expect(JSON.parse(created!.body)).toEqual({ created: 'b.txt' });
    expect(removed!.status).toBe(204);
    expect(removed!.body).toBe('');
  });

  it('refuses a token lacking the route scope with 403 and an insufficient_scope challenge naming every scope needed', async () => {
    const { app } = appWith([FilesController]);
    const [res] = await call(app, request('DELETE', '/files/a.txt', await fixture.token(['files:read'])));
    expect(res!.status).toBe(403);
    const challenge = parseChallenge(res!.challenges[0]!);
    expect(challenge.scheme).toBe('Bearer');
    expect(challenge.params).toMatchObject({ error: 'insufficient_scope', scope: 'files:read files:write' });
    expect(JSON.parse(res!.body).error).toBe('insufficient_scope');
  });

  it('refuses a request without a token with 401 and a challenge pointing at the metadata', async () => {
    const { api, app } = appWith([FilesController]);
    const [res] = await call(app, request('GET', '/files/a.txt'));
    expect(res!.status).toBe(401);
    expect(parseChallenge(res!.challenges[0]!).params.resource_metadata).toBe(String(api.valet.metadataUrl));
    expect(JSON.parse(res!.body).error_description).toBe(
      'Route "GET /files/:id" requires a bearer token with scope "files:read".',
    );
  });

  it('answers a public route without a token, with a null principal', async () => {
    const { app } = appWith([HealthController], {});
    const [res] = await call(app, request('GET', '/health'));
    expect(res!.status).toBe(200);
    expect(JSON.parse(res!.body)).toEqual({ ok: true, anonymous: true });
  });

  it('hands what a method throws to the next error handler', async () => {
    const { app } = appWith([HealthController], {});
    const [res] = await call(app, request('GET', '/boom'));
    expect(res!.status).toBe(500);
    expect(res!.body).toBe('unhandled: boom');
  });

  it('gives a check policy the params, as routes() does', async () => {
    @Controller('/users')
    class UsersController {
      @Get('/:user')
      @Requires(SELF_ONLY)
      profile(ctx: RouteContext): string {
        return String(ctx.params['user']);
      }
    }
    const { app } = appWith([UsersController], {});
    const token = await fixture.token(['files:read'], 'alice');
    const [own, other] = await call(
      app,
      request('GET', '/users/alice', token),
      request('GET', '/users/bob', token),
    );
    expect(JSON.parse(own!.body)).toBe('alice');
    expect(other!.status).toBe(403);
    expect(JSON.parse(other!.body).error_description).toBe(
      'Route "GET /users/:user" was refused by check "self".',
    );
  });
});

describe('controllers(): instances', () => {
  it('builds controllers from the container, so they share its services', async () => {
    const container = containerWithStore();
    container.get(FileStore).files.set('c.txt', 'from the container');
    const { app } = appWith([FilesController], { container });
    const [res] = await call(app, request('GET', '/files/c.txt', await fixture.token(['files:read'])));
    expect(JSON.parse(res!.body).content).toBe('from the container');
  });

  it("refuses, at set-up and before registering any route, a container whose binding lacks the route's method", () => {
    const container = containerWithStore();
    container.bind(FilesController).toConstantValue({});
    const api = valetExpress(fixture.valet());
    expect(() => api.controllers(express(), [HealthController, FilesController], { container })).toThrow(
      'The container built FilesController without a method "read"; bind the controller to itself.',
    );
    expect(api.valet.registry.operations()).toEqual([]);
  });

  it('refuses, at set-up, a controller with constructor arguments and no container', () => {
    const api = valetExpress(fixture.valet());
    expect(() => api.controllers(express(), [FilesController])).toThrow(
      new OptionsError(
        'container',
        'FilesController takes constructor arguments; pass the inversify container that builds it.',
      ),
    );
  });
});

describe('controllers(): the registry and the manifest', () => {
  it('registers each route as kind "route", with the prefix of its mount point, title, description and source', () => {
    const api = valetExpress(fixture.valet());
    api.controllers(express.Router(), [FilesController, HealthController], {
      container: containerWithStore(),
      prefix: '/v1',
    });
    expect(api.valet.registry.operations().map((op) => op.id)).toEqual([
      'GET /v1/files/:id',
      'POST /v1/files',
      'DELETE /v1/files/:id',
      'GET /v1/health',
      'GET /v1/boom',
    ]);
    expect(api.valet.registry.get('GET /v1/files/:id')).toEqual(readRouteEntry('/v1'));
  });

  it('lists the routes in buildManifest output as kind "route"', () => {
    const api = valetExpress(fixture.valet());
    api.controllers(express(), [FilesController], { container: containerWithStore() });
    expectFilesInManifest(api.valet.registry);
  });

  it('reports a scope typo at set-up against the catalog, naming the method', () => {
    @Controller('/files')
    @RequiresScope('files:read')
    class TypoController {
      @Delete('/:id') @RequiresScope('files:wirte') remove(): void {}
    }
    const api = valetExpress(fixture.valet());
    expect(() => api.controllers(express(), [TypoController])).toThrow(PolicyConfigError);
    expect(() => api.controllers(express(), [TypoController])).toThrow(
      '@RequiresScope("files:wirte") on TypoController.remove: unknown scope "files:wirte". Did you mean "files:write"?',
    );
    expect(api.valet.registry.operations()).toEqual([]);
  });

  it('refuses a route already declared with routes(), and a bad mount prefix', () => {
    const api = valetExpress(fixture.valet());
    const app = express();
    api.routes(app).get('/health', allOf('admin'));
    expect(() => api.controllers(app, [HealthController])).toThrow(/"GET \/health" is declared twice/);
    expect(() => api.controllers(app, [HealthController], { prefix: 'v1' })).toThrow(
      expect.objectContaining({ field: 'prefix' }),
    );
  });
});
