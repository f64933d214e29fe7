import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { memoryAuditSink } from '../../src/audit/memory-sink.js';
import {
  ForbiddenError,
  InvalidRequestError,
  InvalidTokenError,
  MissingTokenError,
} from '../../src/errors.js';
import { allOf, check, publicAccess } from '../../src/policy/policy.js';
import { PolicyRegistry } from '../../src/policy/registry.js';
import { CachingVerifier } from '../../src/verify/caching-verifier.js';
import type { TokenVerifier } from '../../src/verify/token-verifier.js';
import { RESOURCE, catalog, valetFixture, type ValetFixture } from '../support/valet-fixture.js';

let fixture: ValetFixture;
let valetWith: ValetFixture['valetWith'];
let bearer: ValetFixture['bearer'];

beforeAll(async () => {
  fixture = await valetFixture();
  ({ valetWith, bearer } = fixture);
});

afterAll(() => fixture.close());

describe('Valet.admit: authentication', () => {
  it('resolves to the principal of a valid bearer token', async () => {
    const principal = await valetWith().admit({
      authorization: await bearer({ scopes: ['files:read'], subject: 'alice' }),
    });
    expect(principal?.subject).toBe('alice');
    expect([...principal!.scopes]).toEqual(['files:read']);
  });

  it('refuses a request without credentials unless optional, then resolves to null', async () => {
    const valet = valetWith();
    await expect(valet.admit({})).rejects.toBeInstanceOf(MissingTokenError);
    await expect(valet.admit({ authorization: 'Basic dXNlcjpwYXNz', optional: true })).resolves.toBeNull();
  });

  it('refuses a bad token even when optional', async () => {
    const expired = await fixture.issuer.expired({ audience: RESOURCE });
    await expect(
      valetWith().admit({ authorization: `Bearer ${expired}`, optional: true }),
    ).rejects.toBeInstanceOf(InvalidTokenError);
  });

  it('applies maxTokenBytes before verifying', async () => {
    await expect(
      valetWith({ maxTokenBytes: 16 }).admit({ authorization: `Bearer ${'a'.repeat(17)}` }),
    ).rejects.toMatchObject({ name: 'InvalidTokenError', reason: 'too_large' });
  });

  it('answers a verifier that throws synchronously with a rejection, never a throw', async () => {
    const throwing: TokenVerifier = {
      verify: () => {
        throw new InvalidTokenError('malformed', 'The token is not a well-formed signed JWT.');
      },
    };
    const valet = valetWith({ verifier: throwing });
    let pending: Promise<unknown> | undefined;
    expect(() => {
      pending = valet.admit({ authorization: 'Bearer abc' });
    }).not.toThrow();
    await expect(pending).rejects.toBeInstanceOf(InvalidTokenError);
  });

  it('Attack: refuses every malformed request, optional or not, even with a token the cache holds', async () => {
    const valet = valetWith({ verifier: new CachingVerifier(fixture.verifier) });
    const header = await bearer({ scopes: ['files:read'] });
    const token = header.slice('Bearer '.length);
    await valet.admit({ authorization: header });
    const refused = [
      { authorization: [header, header] },
      { authorization: header, query: `?access_token=${token}` },
      { authorization: header, body: { access_token: token } },
      { authorization: `Bearer\t${token}` },
      { authorization: `Basic abc, ${header}` },
      { authorization: `${header}x` },
      { authorization: header.slice(0, -1) },
      { authorization: `Bearer ${token}%` },
      { query: '?access_token=abc', optional: true },
      { authorization: ['Bearer a', 'Bearer b'], optional: true },
    ];
    for (const request of refused) {
      await expect(valet.admit(request)).rejects.toThrow();
    }
    await expect(valet.admit({ authorization: `Bearer ${token}%` })).rejects.toBeInstanceOf(
      InvalidRequestError,
    );
  });

  it('takes a principal an earlier step admitted without reading credentials again', async () => {
    const valet = valetWith();
    const principal = await valet.admit({ authorization: await bearer({ scopes: ['files:read'] }) });
    await expect(
      valet.admit({ principal, query: '?ignored=1', operations: [{ id: 'read_file' }] }),
    ).resolves.toBe(principal);
    await expect(valet.admit({ principal: null, operations: [{ id: 'health' }] })).resolves.toBeNull();
    await expect(valet.admit({ principal: null, operations: [{ id: 'read_file' }] })).rejects.toBeInstanceOf(
      MissingTokenError,
    );
  });
});

describe('Valet.admit: authorization of the request operations', () => {
  it('admits an allowed operation, counting implied scopes', async () => {
    const authorization = await bearer({ scopes: ['files:write'], subject: 'carol' });
    await expect(
      valetWith().admit({ authorization, operations: [{ id: 'read_file' }] }),
    ).resolves.toMatchObject({ subject: 'carol' });
  });

  it('refuses an anonymous caller with MissingTokenError carrying the scopes needed', async () => {
    await expect(
      valetWith().admit({ optional: true, operations: [{ id: 'write_file' }] }),
    ).rejects.toMatchObject({ name: 'MissingTokenError', scopes: ['files:write'] });
  });

  it('refuses a caller without the scope with InsufficientScopeError naming it', async () => {
    const authorization = await bearer({ scopes: ['files:read'] });
    await expect(
      valetWith().admit({ authorization, operations: [{ id: 'write_file' }] }),
    ).rejects.toMatchObject({
      name: 'InsufficientScopeError',
      required: ['files:write'],
    });
  });

  it('refuses an unknown operation (default deny) and a refusing check with ForbiddenError', async () => {
    const registry = new PolicyRegistry().register({
      id: 'own_file',
      kind: 'tool',
      policy: check('owner', (p, ctx) => (ctx.arguments as { owner: string }).owner === p.subject),
    });
    const valet = valetWith({ registry });
    const authorization = await bearer({ subject: 'alice' });
    const own = (owner: string) => ({ id: 'own_file', context: { arguments: { owner } } });
    await expect(valet.admit({ authorization, operations: [{ id: 'nope' }] })).rejects.toBeInstanceOf(
      ForbiddenError,
    );
    await expect(valet.admit({ authorization, operations: [own('bob')] })).rejects.toBeInstanceOf(
      ForbiddenError,
    );
    await expect(valet.admit({ authorization, operations: [own('alice')] })).resolves.toMatchObject({
      subject: 'alice',
    });
  });

  it('asks once for the union of the scopes several refused operations need (SEP-2350)', async () => {
    const registry = new PolicyRegistry({ catalog: catalog() })
      .register({ id: 'read_file', kind: 'tool', policy: allOf('files:read') })
      .register({ id: 'write_file', kind: 'tool', policy: allOf('files:write') })
      .register({ id: 'health', kind: 'route', policy: publicAccess() });
    const valet = valetWith({ registry });
    const operations = [{ id: 'read_file' }, { id: 'health' }, { id: 'write_file' }];
    const anonymous = valet.admit({ optional: true, operations });
    await expect(anonymous).rejects.toBeInstanceOf(MissingTokenError);
    await expect(anonymous).rejects.toMatchObject({ scopes: ['files:read', 'files:write'] });
    const reader = await bearer({ scopes: ['files:read'] });
    await expect(
      valet.admit({ authorization: reader, operations: [...operations, { id: 'write_file' }] }),
    ).rejects.toMatchObject({ name: 'InsufficientScopeError', required: ['files:write'] });
    await expect(
      valet.admit({ authorization: reader, operations: [{ id: 'write_file' }, { id: 'nope' }] }),
    ).rejects.toBeInstanceOf(ForbiddenError);
  });

  it('sends every decision it makes to the audit sink, once', async () => {
    const audit = memoryAuditSink();
    const valet = valetWith({ audit });
    await valet.admit({ optional: true, operations: [{ id: 'health' }] });
    await valet.admit({ optional: true, operations: [{ id: 'read_file' }] }).catch(() => undefined);
    await valet.authorize(null, 'health', undefined, { audit: false });
    expect(audit.events.map((e) => [e.operationId, e.allowed])).toEqual([
      ['health', true],
      ['read_file', false],
    ]);
  });

  it('waits for an async check, and answers an audit sink that throws with a rejection', async () => {
    const registry = new PolicyRegistry().register({
      id: 'slow',
      kind: 'tool',
      policy: check('later', async (p) => p.subject === 'alice'),
    });
    const valet = valetWith({ registry });
    const as = async (subject: string) => ({
      authorization: await bearer({ subject }),
      operations: [{ id: 'slow' }],
    });
    await expect(valet.admit(await as('alice'))).resolves.toMatchObject({ subject: 'alice' });
    await expect(valet.admit(await as('bob'))).rejects.toBeInstanceOf(ForbiddenError);
    const audited = valetWith({
      audit: {
        record: () => {
          throw new Error('audit log unavailable');
        },
      },
    });
    await expect(audited.admit({ optional: true, operations: [{ id: 'health' }] })).rejects.toThrow(
      'audit log unavailable',
    );
  });
});

describe('Valet.authorize', () => {
  it('resolves to the decision for a principal, allowed or not, without throwing', async () => {
    const valet = valetWith();
    const principal = await valet.admit({ authorization: await bearer({ scopes: ['files:read'] }) });
    await expect(valet.authorize(principal, 'read_file')).resolves.toMatchObject({ allowed: true });
    const refused = await valet.authorize(principal, 'write_file');
    expect(refused).toMatchObject({ allowed: false, missing: ['files:write'] });
    expect(refused.reason).toMatch(/files:write/);
  });
});
