import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { OptionsError } from '../../src/errors.js';
import { memoryStateStore, type StateStore } from '../../src/state/state-store.js';
import { CachingVerifier } from '../../src/verify/caching-verifier.js';
import { RESOURCE, valetFixture, type ValetFixture } from '../support/valet-fixture.js';

let fixture: ValetFixture;

beforeAll(async () => {
  fixture = await valetFixture();
});
afterAll(() => fixture.close());

/** Two instances sharing one store, each with its own verified-token cache. */
function twoInstances(store: StateStore = memoryStateStore()) {
  return [1, 2].map(() => fixture.valetWith({ store, verifier: new CachingVerifier(fixture.verifier) }));
}

const REVOKED = { code: 'ERR_INVALID_TOKEN', status: 401, reason: 'revoked' };
const nowSeconds = () => Math.floor(Date.now() / 1000);

describe('Valet.revoke', () => {
  it('refuses a revoked jti on every instance, from their caches too, and nothing else', async () => {
    const [a, b] = twoInstances();
    const token = await fixture.issuer.mint({ audience: RESOURCE, claims: { jti: 'token-1' } });
    const other = await fixture.issuer.mint({ audience: RESOURCE, claims: { jti: 'token-2' } });
    for (const valet of [a!, b!]) await valet.admit({ authorization: `Bearer ${token}` });
    await a!.revoke({ jti: 'token-1' });
    for (const valet of [a!, b!]) {
      await expect(valet.admit({ authorization: `Bearer ${token}` })).rejects.toMatchObject(REVOKED);
      await expect(valet.admit({ authorization: `Bearer ${other}` })).resolves.toBeTruthy();
    }
  });

  it('refuses the tokens a subject got before the revocation, and accepts one issued after', async () => {
    const [a, b] = twoInstances();
    const before = await fixture.issuer.mint({ audience: RESOURCE, subject: 'mallory' });
    await b!.admit({ authorization: `Bearer ${before}` });
    await a!.revoke({ subject: 'mallory' });
    await expect(b!.admit({ authorization: `Bearer ${before}` })).rejects.toMatchObject(REVOKED);
    const after = await fixture.issuer.mint({
      audience: RESOURCE,
      subject: 'mallory',
      claims: { iat: nowSeconds() + 2 },
    });
    await expect(b!.admit({ authorization: `Bearer ${after}` })).resolves.toMatchObject({
      subject: 'mallory',
    });
  });

  it('refuses every token of a revoked client', async () => {
    const [a, b] = twoInstances();
    const token = await fixture.issuer.mint({ audience: RESOURCE, clientId: 'leaky-client' });
    await a!.revoke({ clientId: 'leaky-client' });
    await expect(b!.admit({ authorization: `Bearer ${token}` })).rejects.toMatchObject(REVOKED);
  });

  it('is found in the store by an instance that started after it', async () => {
    const store = memoryStateStore();
    const [a] = twoInstances(store);
    await a!.revoke({ jti: 'early' });
    const [late] = twoInstances(store);
    const token = await fixture.issuer.mint({ audience: RESOURCE, claims: { jti: 'early' } });
    await expect(late!.admit({ authorization: `Bearer ${token}` })).rejects.toMatchObject(REVOKED);
    await expect(late!.admit({ authorization: `Bearer ${token}` })).rejects.toMatchObject(REVOKED);
  });

  it('lapses at until', async () => {
    const [a] = twoInstances();
    await a!.revoke({ jti: 'brief' }, { until: Date.now() + 50 });
    await new Promise((resolve) => setTimeout(resolve, 60));
    const token = await fixture.issuer.mint({ audience: RESOURCE, claims: { jti: 'brief' } });
    await expect(a!.admit({ authorization: `Bearer ${token}` })).resolves.toBeTruthy();
  });

  it('fails closed with 503 when the store cannot be read, and serves cached tokens meanwhile', async () => {
    const healthy = memoryStateStore();
    let down = false;
    const flaky: StateStore = {
      ...healthy,
      get: (key) => (down ? Promise.reject(new Error('ECONNREFUSED 127.0.0.1:6379')) : healthy.get(key)),
    };
    const [valet] = twoInstances(flaky);
    const cached = await fixture.issuer.mint({ audience: RESOURCE });
    await valet!.admit({ authorization: `Bearer ${cached}` });
    down = true;
    await expect(valet!.admit({ authorization: `Bearer ${cached}` })).resolves.toBeTruthy();
    const fresh = `Bearer ${await fixture.issuer.mint({ audience: RESOURCE })}`;
    const error = await valet!.admit({ authorization: fresh }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'ERR_STATE_UNAVAILABLE', status: 503 });
    const response = valet!.errorResponse(error)!;
    expect(response.status).toBe(503);
    expect(response.headers['retry-after']).toBe('1');
    expect(response.headers['www-authenticate']).toBeUndefined();
    expect(JSON.stringify(response)).not.toContain('6379');
  });

  it('does not let a revoked token in on a retry while the store is down', async () => {
    const healthy = memoryStateStore();
    let down = false;
    const flaky: StateStore = {
      ...healthy,
      get: (key) => (down ? Promise.reject(new Error('store down')) : healthy.get(key)),
    };
    const [first] = twoInstances(flaky);
    await first!.revoke({ jti: 'stolen' });
    const [late] = twoInstances(flaky);
    const token = `Bearer ${await fixture.issuer.mint({ audience: RESOURCE, claims: { jti: 'stolen' } })}`;
    down = true;
    for (let attempt = 0; attempt < 3; attempt++) {
      await expect(late!.admit({ authorization: token })).rejects.toMatchObject({ status: 503 });
    }
    down = false;
    await expect(late!.admit({ authorization: token })).rejects.toMatchObject(REVOKED);
  });

  it('refuses a target or an until it cannot honour, naming the option', async () => {
    const [valet] = twoInstances();
    await expect(valet!.revoke({ jti: '' })).rejects.toBeInstanceOf(OptionsError);
    await expect(valet!.revoke({ user: 'x' } as never)).rejects.toMatchObject({ field: 'target' });
    await expect(valet!.revoke({ jti: 'x' }, { until: Date.now() - 1 })).rejects.toMatchObject({
      field: 'until',
    });
    await expect(valet!.revoke({ jti: 'x' }, { until: Number.NaN })).rejects.toMatchObject({
      field: 'until',
    });
  });

  it('ignores messages on its channel that are not revocations', async () => {
    const store = memoryStateStore();
    const [valet] = twoInstances(store);
    await store.publish('valet:revocations', 'not json');
    await store.publish('valet:revocations', JSON.stringify({ key: 'other:key', at: 1, until: 2 }));
    await expect(valet!.admit({ authorization: await fixture.bearer() })).resolves.toBeTruthy();
  });
});
