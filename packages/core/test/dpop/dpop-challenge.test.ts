import { describe, expect, it } from '@jest/globals';
import {
  InsufficientScopeError,
  InvalidDpopProofError,
  InvalidRequestError,
  InvalidTokenError,
  MissingTokenError,
  UseDpopNonceError,
} from '../../src/errors.js';
import { challengeFor, renderChallenge } from '../../src/http/challenge.js';
import { errorResponse } from '../../src/http/error-response.js';

const META = 'https://api.example.com/.well-known/oauth-protected-resource/mcp';
const allowed = { resourceMetadata: META, dpop: { algorithms: ['ES256', 'EdDSA'] } };
const required = { resourceMetadata: META, dpop: { algorithms: ['ES256'], required: true } };

describe('challenges with DPoP (RFC 9449 section 7.1)', () => {
  it('allowed: a 401 carries Bearer first, then DPoP with algs, the error on the scheme the request used', () => {
    expect(challengeFor(new MissingTokenError(), allowed)).toBe(
      `Bearer resource_metadata="${META}", DPoP algs="ES256 EdDSA", resource_metadata="${META}"`,
    );
    expect(challengeFor(new InvalidTokenError('expired', 'Expired.'), allowed)).toBe(
      `Bearer error="invalid_token", error_description="Expired.", resource_metadata="${META}", DPoP algs="ES256 EdDSA", resource_metadata="${META}"`,
    );
    expect(challengeFor(new InvalidDpopProofError('stale', 'Old.'), allowed)).toBe(
      `Bearer resource_metadata="${META}", DPoP error="invalid_dpop_proof", error_description="Old.", algs="ES256 EdDSA", resource_metadata="${META}"`,
    );
  });

  it('allowed: other statuses carry one challenge, in the scheme of the request', () => {
    expect(challengeFor(new InvalidRequestError('Two headers.'), allowed)).toMatch(
      /^Bearer error="invalid_request"/,
    );
    const dpopCaller = new InsufficientScopeError('Needs write.', {
      required: ['files:write'],
      scheme: 'DPoP',
    });
    expect(challengeFor(dpopCaller, allowed)).toBe(
      `DPoP error="insufficient_scope", error_description="Needs write.", scope="files:write", algs="ES256 EdDSA", resource_metadata="${META}"`,
    );
  });

  it('required: DPoP only', () => {
    expect(challengeFor(new MissingTokenError(), required)).toBe(
      `DPoP algs="ES256", resource_metadata="${META}"`,
    );
    expect(challengeFor(new InvalidTokenError('expired', 'Expired.'), required)).toMatch(
      /^DPoP error="invalid_token"/,
    );
  });

  it('off (no dpop option): Bearer only, as before', () => {
    expect(challengeFor(new MissingTokenError(), { resourceMetadata: META })).toBe(
      `Bearer resource_metadata="${META}"`,
    );
    expect(renderChallenge({ error: 'invalid_token' })).toBe('Bearer error="invalid_token"');
  });

  it('use_dpop_nonce: 401, the DPoP-Nonce header, no Retry-After (RFC 9449 section 9)', () => {
    const response = errorResponse(new UseDpopNonceError('0.abc'), allowed);
    expect(response.status).toBe(401);
    expect(response.headers['dpop-nonce']).toBe('0.abc');
    expect(response.headers['www-authenticate']).toContain('DPoP error="use_dpop_nonce"');
    expect(response.body.error).toBe('use_dpop_nonce');
  });

  it.each([[[]], [['ES256', 'two words']], ['ES256']])('refuses dpop.algorithms %j', (algorithms) => {
    expect(() =>
      challengeFor(new MissingTokenError(), { dpop: { algorithms: algorithms as string[] } }),
    ).toThrow(expect.objectContaining({ field: 'dpop.algorithms' }));
  });
});
