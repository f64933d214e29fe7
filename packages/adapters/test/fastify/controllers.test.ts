import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  DPOP_ALGORITHMS,
  ForbiddenError,
  OptionsError,
  PolicyConfigError,
  allOf,
  type Valet,
} from '@valet/core';
import {
  Controller,
  Delete,
  Get,
  Post,
  Public,
  Requires,
  RequiresScope,
  type ControllerClass,
} from '@valet/decorators';
import type { ControllersOptions, RouteContext } from '@valet/adapters/fastify';
import type { FastifyInstance } from 'fastify';
import { exchange, type WireRequest } from '../conformance/http-exchange.js';
import {
  FileStore,
  SELF_ONLY,
  containerWithStore,
  expectFilesInManifest,
  filesController,
  readRouteEntry,
} from '../support/controllers.js';
import { fastifyWithValet } from '../support/fastify.js';
import { adapterFixture, type AdapterFixture } from '../support/fixture.js';

const FilesController = filesController<RouteContext>((ctx, id) =>
  ctx.reply.code(204).header('x-removed', id).send(),
);

@Controller()
@Public()
class HealthController {
  @Get('/health') health(ctx: RouteContext): { ok: true; anonymous: boolean } {
    return { ok: true, anonymous: ctx.principal === null };
  }

  @Post('/touch') touch(): void {}

  @Get('/boom') async boom(): Promise<never> {
    throw new Error('boom');
  }

  @Get('/forbidden') forbidden(): never {
    throw new ForbiddenError('Health is closed today.', 'GET /forbidden');
  }
}

let fixture: AdapterFixture;

beforeAll(async () => {
  fixture = await adapterFixture();
});

afterAll(() => fixture.close());

async function appWith(
  classes: readonly ControllerClass[],
  options: ControllersOptions = { container: containerWithStore() },
  valet: Valet = fixture.valet(),
): Promise<FastifyInstance> {
  const app = await fastifyWithValet(valet);
  app.valet.controllers(classes, options);
  return app;
}

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

const METADATA = 'https://files.example.test/.well-known/oauth-protected-resource/api';

describe('fastify.valet.controllers(): enforcing with inject()', () => {
  it('calls the method of an allowed request and sends its return value as JSON with status 200', async () => {
    const app = await appWith([FilesController]);
    const res = await app.inject({
      method: 'GET',
      url: '/files/a.txt',
      headers: bearer(await fixture.token(['files:read'], 'alice')),
    });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(res.json()).toEqual({ id: 'a.txt', content: 'hello', owner: 'alice' });
    await app.close();
  });

  it('sends an async result with the declared status, and lets a method answer through ctx.reply', async () => {
    const app = await appWith([FilesController]);
    const headers = bearer(await fixture.token(['files:read', 'files:write']));
    const created = await app.inject({
      method: 'POST',
      url: '/files?mode=append',
      headers,
      payload: { name: 'b.txt', content: 'new' },
    });
    expect(created.statusCode).toBe(201);
    expect(created.json()).toEqual({ created: 'b.txt', mode: 'append' });
    const removed = await app.inject({ method: 'DELETE', url: '/files/a.txt', headers });
    expect([removed.statusCode, removed.headers['x-removed'], removed.body]).toEqual([204, 'a.txt', '']);
    const gone = await app.inject({ method: 'GET', url: '/files/a.txt', headers });
    expect(gone.json().content).toBeNull();
    await app.close();
  });

  it('answers a method that returns nothing with an empty reply, as Fastify does for an async handler', async () => {
    const app = await appWith([HealthController], {});
    const res = await app.inject({ method: 'POST', url: '/touch' });
    expect([res.statusCode, res.body]).toEqual([200, '']);
    await app.close();
  });

  it('refuses a request without a token with 401 and a challenge pointing at the metadata', async () => {
    const app = await appWith([FilesController]);
    const res = await app.inject({ method: 'GET', url: '/files/a.txt' });
    expect(res.statusCode).toBe(401);
    expect(res.headers['www-authenticate']).toBe(
      `Bearer scope="files:read", resource_metadata="${METADATA}", ` +
        `DPoP scope="files:read", algs="${DPOP_ALGORITHMS.join(' ')}", resource_metadata="${METADATA}"`,
    );
    expect(res.json().error_description).toBe(
      'Route "GET /files/:id" requires a bearer token with scope "files:read".',
    );
    await app.close();
  });

  it('refuses a token lacking the route scope with 403 and an insufficient_scope challenge naming every scope needed', async () => {
    const app = await appWith([FilesController]);
    const res = await app.inject({
      method: 'DELETE',
      url: '/files/a.txt',
      headers: bearer(await fixture.token(['files:read'])),
    });
    expect(res.statusCode).toBe(403);
    expect(res.headers['www-authenticate']).toBe(
      `Bearer error="insufficient_scope", error_description="Route 'DELETE /files/:id' requires files:read and files:write; the token grants 'files:read', missing 'files:write'.", scope="files:read files:write", resource_metadata="${METADATA}"`,
    );
    expect(res.json().error).toBe('insufficient_scope');
    await app.close();
  });

  it('answers a @Public() route without a token, with a null principal', async () => {
    const app = await appWith([HealthController], {});
    const res = await app.inject({ method: 'GET', url: '/health' });
    expect(res.json()).toEqual({ ok: true, anonymous: true });
    await app.close();
  });

  it('answers HEAD of a GET route under the GET operation: enforced, without a body', async () => {
    const valet = fixture.valet();
    const app = await appWith([FilesController], undefined, valet);
    const allowed = await app.inject({
      method: 'HEAD',
      url: '/files/a.txt',
      headers: bearer(await fixture.token(['files:read'])),
    });
    expect(allowed.statusCode).toBe(200);
    expect(allowed.headers['content-type']).toMatch(/^application\/json/);
    expect(Number(allowed.headers['content-length'])).toBeGreaterThan(0);
    expect(allowed.body).toBe('');
    const refused = await app.inject({ method: 'HEAD', url: '/files/a.txt' });
    expect(refused.statusCode).toBe(401);
    expect(refused.headers['www-authenticate']).toBe(
      `Bearer scope="files:read", resource_metadata="${METADATA}", ` +
        `DPoP scope="files:read", algs="${DPOP_ALGORITHMS.join(' ')}", resource_metadata="${METADATA}"`,
    );
    expect(valet.registry.operations().some((op) => op.id.startsWith('HEAD'))).toBe(false);
    await app.close();
  });

  it("hands what a method throws to Fastify's error handling, rendering Valet errors", async () => {
    const app = await appWith([HealthController], {});
    const boom = await app.inject({ method: 'GET', url: '/boom' });
    expect(boom.statusCode).toBe(500);
    expect(boom.json()).toMatchObject({ statusCode: 500, message: 'boom' });
    const forbidden = await app.inject({ method: 'GET', url: '/forbidden' });
    expect(forbidden.statusCode).toBe(403);
    expect(forbidden.json()).toEqual({
      error: 'access_denied',
      error_description: 'Health is closed today.',
    });
    await app.close();
  });

  it('gives a check policy the params, as a route with config.valet gets them', async () => {
    @Controller('/users')
    class UsersController {
      @Get('/:user')
      @Requires(SELF_ONLY)
      profile(ctx: RouteContext): string {
        return ctx.params['user']!;
      }
    }
    const app = await appWith([UsersController], {});
    const headers = bearer(await fixture.token(['files:read'], 'alice'));
    const own = await app.inject({ method: 'GET', url: '/users/alice', headers });
    const other = await app.inject({ method: 'GET', url: '/users/bob', headers });
    expect([own.statusCode, own.body]).toEqual([200, 'alice']);
    expect(other.statusCode).toBe(403);
    expect(other.json().error_description).toBe('Route "GET /users/:user" was refused by check "self".');
    await app.close();
  });
});

describe('fastify.valet.controllers(): over a real socket', () => {
  it('allows, refuses and answers HEAD on a listening server', async () => {
    const app = await appWith([FilesController, HealthController]);
    await app.listen({ port: 0, host: '127.0.0.1' });
    try {
      const { port } = app.server.address() as { port: number };
      const base = `http://127.0.0.1:${String(port)}`;
      const read = await fixture.token(['files:read'], 'bob');
      const request = (method: string, path: string, token?: string): WireRequest => ({
        method,
        path,
        headers: token === undefined ? [] : [['Authorization', `Bearer ${token}`]],
      });
      const [allowed, head, refused, health] = await Promise.all([
        exchange(base, request('GET', '/files/a.txt', read)),
        exchange(base, request('HEAD', '/files/a.txt', read)),
        exchange(base, request('DELETE', '/files/a.txt', read)),
        exchange(base, request('GET', '/health')),
      ]);
      expect([allowed!.status, JSON.parse(allowed!.body)]).toEqual([
        200,
        { id: 'a.txt', content: 'hello', owner: 'bob' },
      ]);
      expect([head!.status, head!.body]).toEqual([200, '']);
      expect(refused!.status).toBe(403);
      expect(refused!.challenges).toHaveLength(1);
      expect(refused!.challenges[0]).toMatch(/^Bearer error="insufficient_scope", /);
      expect(JSON.parse(health!.body)).toEqual({ ok: true, anonymous: true });
    } finally {
      await app.close();
    }
  });
});

describe('fastify.valet.controllers(): instances', () => {
  it('builds controllers from the container, so they share its services', async () => {
    const container = containerWithStore();
    container.get(FileStore).files.set('c.txt', 'from the container');
    const app = await appWith([FilesController], { container });
    const res = await app.inject({
      method: 'GET',
      url: '/files/c.txt',
      headers: bearer(await fixture.token(['files:read'])),
    });
    expect(res.json().content).toBe('from the container');
    await app.close();
  });

  it("refuses, at set-up and before declaring any route, a container whose binding lacks the route's method", async () => {
    const container = containerWithStore();
    container.bind(FilesController).toConstantValue({});
    const valet = fixture.valet();
    const app = await fastifyWithValet(valet);
    expect(() => app.valet.controllers([HealthController, FilesController], { container })).toThrow(
      new OptionsError(
        'container',
        'The container built FilesController without a method "read"; bind the controller to itself.',
      ),
    );
    expect(valet.registry.operations()).toEqual([]);
    await app.close();
  });

  it('refuses, at set-up, a controller with constructor arguments and no container', async () => {
    const app = await fastifyWithValet(fixture.valet());
    expect(() => app.valet.controllers([FilesController])).toThrow(
      new OptionsError(
        'container',
        'FilesController takes constructor arguments; pass the inversify container that builds it.',
      ),
    );
    await app.close();
  });
});

describe('fastify.valet.controllers(): the registry and the manifest', () => {
  it('registers each route as kind "route" under its full url (option and plugin prefixes), with title, description, source and meta', async () => {
    const valet = fixture.valet();
    const app = await appWith([FilesController], { container: containerWithStore(), prefix: '/v1' }, valet);
    await app.register(
      async (scope) => {
        scope.valet.controllers([HealthController]);
      },
      { prefix: '/api' },
    );
    await app.ready();
    expect(valet.registry.operations().map((op) => op.id)).toEqual([
      'GET /v1/files/:id',
      'POST /v1/files',
      'DELETE /v1/files/:id',
      'GET /api/health',
      'POST /api/touch',
      'GET /api/boom',
      'GET /api/forbidden',
    ]);
    expect(valet.registry.get('GET /v1/files/:id')).toEqual(readRouteEntry('/v1'));
    expect(valet.registry.get('GET /api/health')).toMatchObject({
      source: 'HealthController.health',
      meta: { method: 'GET', path: '/api/health', controller: 'HealthController', handler: 'health' },
    });
    const [health, file] = await Promise.all([
      app.inject({ method: 'GET', url: '/api/health' }),
      app.inject({ method: 'GET', url: '/v1/files/a.txt' }),
    ]);
    expect([health.statusCode, file.statusCode]).toEqual([200, 401]);
    await app.close();
  });

  it('lists the routes in buildManifest output as kind "route"', async () => {
    const valet = fixture.valet();
    const app = await appWith([FilesController], undefined, valet);
    await app.ready();
    expectFilesInManifest(valet.registry);
    await app.close();
  });
});

describe('fastify.valet.controllers(): refusing bad set-up', () => {
  it('refuses classes that are not an array, and a class without @Controller()', async () => {
    const app = await fastifyWithValet(fixture.valet());
    expect(() => app.valet.controllers(FilesController as never)).toThrow(
      expect.objectContaining({ name: OptionsError.name, field: 'controllers' }),
    );
    class Plain {
      list(): string[] {
        return [];
      }
    }
    expect(() => app.valet.controllers([Plain])).toThrow(
      new PolicyConfigError(
        'Plain is not a controller; mark it @Controller() and declare its routes with @Get(...), @Post(...), ...',
      ),
    );
    await app.close();
  });

  it('refuses bad options, naming the field', async () => {
    const app = await fastifyWithValet(fixture.valet());
    expect(() => app.valet.controllers([HealthController], null as never)).toThrow(
      expect.objectContaining({ field: 'options' }),
    );
    for (const prefix of ['v1', '/v1/', 1]) {
      expect(() => app.valet.controllers([HealthController], { prefix } as never)).toThrow(
        expect.objectContaining({ field: 'prefix' }),
      );
    }
    expect(() => app.valet.controllers([HealthController], { container: {} as never })).toThrow(
      expect.objectContaining({ field: 'container' }),
    );
    await app.close();
  });

  it('reports a scope typo at set-up against the catalog, naming the method', async () => {
    @Controller('/files')
    @RequiresScope('files:read')
    class TypoController {
      @Delete('/:id') @RequiresScope('files:wirte') remove(): void {}
    }
    const valet = fixture.valet();
    const app = await fastifyWithValet(valet);
    expect(() => app.valet.controllers([TypoController])).toThrow(
      '@RequiresScope("files:wirte") on TypoController.remove: unknown scope "files:wirte". Did you mean "files:write"?',
    );
    expect(valet.registry.operations()).toEqual([]);
    await app.close();
  });

  it('refuses a route already declared with config.valet', async () => {
    const app = await fastifyWithValet(fixture.valet());
    app.get('/health', { config: { valet: allOf('admin') } }, async () => 'ok');
    expect(() => app.valet.controllers([HealthController])).toThrow(
      new PolicyConfigError(
        'Route "GET /health" is declared twice: by an earlier registration and by HealthController.health. Operation ids must be unique; rename one.',
      ),
    );
    await app.close();
  });
});
