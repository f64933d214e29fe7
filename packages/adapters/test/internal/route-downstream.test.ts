import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  JwtVerifier,
  OptionsError,
  PolicyRegistry,
  createValet,
  defineScopes,
  tokenExchanger,
  type TokenExchanger,
  type Valet,
} from '@valet/core';
import { Controller, Downstream, Get, Post, RequiresScope } from '@valet/decorators';
import { valetExpress, type DownstreamContext } from '@valet/adapters/express';
import { valetFastify } from '@valet/adapters/fastify';
import express from 'express';
import Fastify, { type FastifyInstance } from 'fastify';
import { parseChallenge } from '../conformance/http-exchange.js';
import { EXCHANGE_CLIENT, startDownstreamSetup, type DownstreamSetup } from '../support/downstream-apis.js';
import { listen } from '../support/fixture.js';

/** What the controller reads of either adapter's RouteContext. */
interface Ctx {
  readonly downstream?: DownstreamContext;
  readonly params: Readonly<Record<string, unknown>>;
}

/** An audience the authorization server does not know: the exchange is refused (`invalid_target`). */
const UNKNOWN_API = 'http://127.0.0.1:2/unknown';

const ran: string[] = [];

function backupController(backupUrl: string, archiveUrl: string) {
  @Controller('/files')
  @RequiresScope('files:read')
  class BackupController {
    @Post('/:id/backup')
    @Downstream(backupUrl, ['backup:write'], { stepUpScope: 'files:backup' })
    async backup(ctx: Ctx): Promise<unknown> {
      const put = await ctx.downstream!.fetch(`${backupUrl}/blobs/${String(ctx.params['id'])}`, {
        method: 'PUT',
      });
      return { status: put.status, claims: await put.json() };
    }

    @Post('/:id/replay')
    @Downstream(backupUrl, ['backup:write'])
    async replay(ctx: Ctx): Promise<unknown> {
      const token = await ctx.downstream!.token(backupUrl);
      const replayed = await fetch(archiveUrl, { headers: { authorization: `Bearer ${token}` } });
      const refused = await ctx.downstream!.fetch(`${archiveUrl}/blobs`).then(
        () => 'sent',
        (error: Error) => error.message,
      );
      return { replayed: replayed.status, refused };
    }

    @Post('/:id/admin')
    @Downstream(backupUrl, ['backup:admin'], { stepUpScope: 'files:backup' })
    admin(): unknown {
      ran.push('admin');
      return {};
    }

    @Post('/:id/elsewhere')
    @Downstream(UNKNOWN_API, ['unknown:write'])
    elsewhere(): unknown {
      ran.push('elsewhere');
      return {};
    }

    @Get('/:id')
    read(ctx: Ctx): unknown {
      return { downstream: ctx.downstream !== undefined };
    }
  }
  return BackupController;
}

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

/** Serves the controller (and a guarded route acting on the archive API) with one adapter. */
interface AdapterCase {
  readonly name: string;
  serve(valet: Valet, exchanger: TokenExchanger, setup: DownstreamSetup): Promise<Handler>;
  /** Declares the controller without an exchanger: refused at set-up. */
  declareWithout(valet: Valet, setup: DownstreamSetup): Promise<unknown>;
}

const archived = async (downstream: DownstreamContext | undefined, url: string) =>
  (await downstream!.fetch(url, { method: 'PUT' })).json();

const ADAPTERS: readonly AdapterCase[] = [
  {
    name: 'Express',
    async serve(valet, exchanger, setup) {
      const app = express();
      const api = valetExpress(valet, { exchanger });
      api.controllers(app, [backupController(setup.backup.url, setup.archive.url)]);
      api
        .routes(app)
        .post(
          '/archive',
          api.requireScopes('files:read').downstream(setup.archive.url, ['archive:write']),
          (req, res, next) => void archived(req.downstream, setup.archive.url).then((c) => res.json(c), next),
        );
      app.use(api.errorHandler());
      return app;
    },
    async declareWithout(valet, setup) {
      return valetExpress(valet).controllers(express(), [
        backupController(setup.backup.url, setup.archive.url),
      ]);
    },
  },
  {
    name: 'Fastify',
    async serve(valet, exchanger, setup) {
      const app = Fastify();
      await app.register(valetFastify, { valet, exchanger });
      app.valet.controllers([backupController(setup.backup.url, setup.archive.url)]);
      app.post(
        '/archive',
        {
          preHandler: app.valet.requireScopes('files:read').downstream(setup.archive.url, ['archive:write']),
        },
        (request) => archived(request.downstream ?? undefined, setup.archive.url),
      );
      await app.ready();
      return (req, res) => app.routing(req, res);
    },
    async declareWithout(valet, setup) {
      const app: FastifyInstance = Fastify();
      await app.register(valetFastify, { valet });
      try {
        return app.valet.controllers([backupController(setup.backup.url, setup.archive.url)]);
      } finally {
        await app.close();
      }
    },
  },
];

describe.each(ADAPTERS)('@Downstream on $name routes', (adapter) => {
  let setup: DownstreamSetup;
  let server: { baseUrl: string; close(): Promise<void> };
  let valet: Valet;
  let handle: Handler = (_req, res) => void res.end();
  // The exchanger the routes use: the counting one, or one whose authorization server is down.
  let current: TokenExchanger;
  let token: string;

  beforeAll(async () => {
    server = await listen(createServer((req, res) => handle(req, res)));
    const resource = server.baseUrl;
    setup = await startDownstreamSetup([{ url: resource, scopes: ['files:read', 'files:backup'] }]);
    current = setup.exchanger;
    valet = createValet({
      registry: new PolicyRegistry({
        catalog: defineScopes({
          'files:read': { description: 'Read files' },
          'files:backup': { description: 'Back up files' },
        }),
      }),
      resource,
      verifier: new JwtVerifier({ issuer: setup.as.issuer, audience: resource }),
      authorizationServers: [setup.as.issuer],
    });
    handle = await adapter.serve(valet, { exchange: (request) => current.exchange(request) }, setup);
    token = await setup.userToken(resource, 'files:read');
  });

  afterAll(async () => {
    await server?.close();
    await setup?.close();
  });

  const post = (path: string) =>
    fetch(`${server.baseUrl}${path}`, { method: 'POST', headers: { authorization: `Bearer ${token}` } });

  it('a route gets a token for exactly its audience and scope, acting for the caller, exchanged once', async () => {
    setup.exchanges.length = 0;
    const res = await post('/files/a.txt/backup');
    expect(res.status).toBe(200);
    const { status, claims } = (await res.json()) as { status: number; claims: Record<string, unknown> };
    expect(status).toBe(200);
    expect([claims['aud']].flat()).toEqual([setup.backup.url]);
    expect(claims).toMatchObject({
      sub: 'dev-user',
      scope: 'backup:write',
      act: { sub: EXCHANGE_CLIENT.clientId },
    });
    expect(setup.exchanges).toEqual([
      expect.objectContaining({ audience: setup.backup.url, scopes: ['backup:write'] }),
    ]);
  });

  it("a guard's downstream() gives a route without decorators its token", async () => {
    const res = await post('/archive');
    expect(res.status).toBe(200);
    const claims = (await res.json()) as Record<string, unknown>;
    expect([claims['aud']].flat()).toEqual([setup.archive.url]);
    expect(claims['act']).toEqual({ sub: EXCHANGE_CLIENT.clientId });
  });

  it('a route that declares nothing downstream gets no downstream helper', async () => {
    const res = await fetch(`${server.baseUrl}/files/a.txt`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(await res.json()).toEqual({ downstream: false });
  });

  describe('Security: token forwarding across downstream APIs', () => {
    it('another downstream refuses a token exchanged for the first; fetch to an undeclared origin sends nothing', async () => {
      setup.archive.received.length = 0;
      const res = await post('/files/a.txt/replay');
      expect(res.status).toBe(200);
      const body = (await res.json()) as { replayed: number; refused: string };
      expect(body.replayed).toBe(401);
      expect(body.refused).toContain(`${new URL(setup.archive.url).origin} is not one of them`);
      // The by-hand replay reached the archive API (and was refused); the helper's fetch did not.
      expect(setup.archive.received).toEqual([null]);
    });
  });

  it('a refusal for want of consent is a 403 step-up naming stepUpScope, before the handler runs', async () => {
    ran.length = 0;
    const res = await post('/files/a.txt/admin');
    expect(res.status).toBe(403);
    expect(parseChallenge(res.headers.get('www-authenticate') ?? '')).toMatchObject({
      scheme: 'Bearer',
      params: { error: 'insufficient_scope', scope: 'files:backup' },
    });
    expect(ran).toEqual([]);
  });

  it('any other refusal is a 502 without internals', async () => {
    ran.length = 0;
    const res = await post('/files/a.txt/elsewhere');
    expect(res.status).toBe(502);
    const body = (await res.json()) as { error: string; error_description: string };
    expect(body.error).toBe('server_error');
    expect(body.error_description).not.toContain('invalid_target');
    expect(ran).toEqual([]);
  });

  it('an unreachable authorization server is a 503 with Retry-After', async () => {
    current = tokenExchanger({ tokenEndpoint: 'http://127.0.0.1:1/token', clientAuth: EXCHANGE_CLIENT });
    try {
      const res = await post('/files/a.txt/backup');
      expect(res.status).toBe(503);
      expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(await res.text()).not.toContain(token);
    } finally {
      current = setup.exchanger;
    }
  });

  it('a route declaring @Downstream without an exchanger is refused at set-up, naming the option', async () => {
    const fresh = createValet({
      registry: new PolicyRegistry(),
      resource: server.baseUrl,
      verifier: new JwtVerifier({ issuer: setup.as.issuer, audience: server.baseUrl }),
      authorizationServers: [setup.as.issuer],
    });
    const declared = adapter.declareWithout(fresh, setup);
    await expect(declared).rejects.toThrow(OptionsError);
    await expect(declared).rejects.toThrow(
      /BackupController\.backup \("POST \/files\/:id\/backup"\) declares @Downstream: give .* an exchanger/,
    );
  });
});
