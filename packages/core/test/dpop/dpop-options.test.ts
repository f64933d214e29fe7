import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { DpopOptions } from '../../src/dpop/dpop-options.js';
import { valetFixture, type ValetFixture } from '../support/valet-fixture.js';

let fixture: ValetFixture;

beforeAll(async () => {
  fixture = await valetFixture();
});

afterAll(() => fixture.close());

describe('ValetOptions.dpop: unsafe or contradictory options fail at start-up, naming the field', () => {
  it.each([
    ['dpop', 'not an object', 'yes'],
    ['dpop.mode', 'an unknown mode', { mode: 'on' }],
    ['dpop.algorithms', 'empty', { algorithms: [] }],
    ['dpop.algorithms', 'none (unsigned proofs)', { algorithms: ['ES256', 'none'] }],
    [
      'dpop.algorithms',
      'HS256 (a symmetric key anyone verifying could sign with)',
      { algorithms: ['HS256'] },
    ],
    ['dpop.algorithms', 'an unknown algorithm', { algorithms: ['ES257'] }],
    ['dpop.maxAgeSeconds', 'zero', { maxAgeSeconds: 0 }],
    ['dpop.maxAgeSeconds', 'Infinity', { maxAgeSeconds: Infinity }],
    ['dpop.maxAgeSeconds', 'an hour', { maxAgeSeconds: 3600 }],
    ['dpop.nonce', 'nonces with mode off', { mode: 'off', nonce: { secret: 's'.repeat(32) } }],
    ['dpop.nonce.secret', 'a short secret', { nonce: { secret: 'short' } }],
    ['dpop.nonce.secret', 'a short byte secret', { nonce: { secret: new Uint8Array(16) } }],
    [
      'dpop.nonce.lifetimeSeconds',
      'a lifetime of 1 s',
      { nonce: { secret: 's'.repeat(32), lifetimeSeconds: 1 } },
    ],
  ])('%s: %s', (field, _name, dpop) => {
    expect(() => fixture.valetWith({ dpop: dpop as DpopOptions })).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_OPTIONS', field }),
    );
  });

  it('says why a symmetric algorithm is refused, and never echoes the secret', () => {
    expect(() => fixture.valetWith({ dpop: { algorithms: ['HS256'] } })).toThrow(/asymmetric/);
    expect(() => fixture.valetWith({ dpop: { nonce: { secret: 'my-short-secret' } } })).toThrow(
      expect.objectContaining({ message: expect.not.stringContaining('my-short-secret') }),
    );
  });

  it('accepts the defaults and every mode', () => {
    for (const mode of ['off', 'allowed', 'required'] as const)
      expect(() => fixture.valetWith({ dpop: { mode } })).not.toThrow();
    expect(() =>
      fixture.valetWith({ dpop: { nonce: false, maxAgeSeconds: 30, algorithms: ['EdDSA'] } }),
    ).not.toThrow();
  });
});
