import { describe, expect, it } from '@jest/globals';
import { RateLimitedError } from '../../src/errors.js';
import { errorBody, errorResponse } from '../../src/http/error-response.js';
import { rateLimitHeaders } from '../../src/http/rate-limit-headers.js';

const limited = (operationId: string, resetSeconds = 42): RateLimitedError =>
  new RateLimitedError('Tool "x" allows at most 60 per minute per caller; retry in 42 s.', {
    operationId,
    limit: 60,
    windowSeconds: 60,
    resetSeconds,
  });

describe('rateLimitHeaders (draft-ietf-httpapi-ratelimit-headers)', () => {
  it('names the policy after the operation, with quota, window, remaining and reset', () => {
    expect(rateLimitHeaders(limited('search'))).toEqual({
      'retry-after': '42',
      'ratelimit-policy': '"search";q=60;w=60',
      ratelimit: '"search";r=0;t=42',
    });
  });

  it('Security: header injection: escapes quotes and backslashes, and falls back for other characters', () => {
    expect(rateLimitHeaders(limited('a"b\\c')).ratelimit).toBe('"a\\"b\\\\c";r=0;t=42');
    for (const id of ['resource:file:///é', 'x\r\nSet-Cookie: a=b', '']) {
      expect(rateLimitHeaders(limited(id))['ratelimit-policy']).toBe('"default";q=60;w=60');
    }
  });
});

describe('RateLimitedError', () => {
  it.each([
    [0.2, 1],
    [0, 1],
    [29.1, 30],
    [Number.NaN, 60],
  ])('reset %p s: Retry-After %i (a whole number, at least 1)', (reset, retryAfter) => {
    const error = limited('search', reset);
    expect(error.retryAfter).toBe(retryAfter);
    expect(error.resetSeconds).toBe(retryAfter);
    expect(errorResponse(error).headers['retry-after']).toBe(String(retryAfter));
  });

  it('gets a fixed body, never its message', () => {
    expect(errorBody(limited('search'))).toEqual({
      error: 'too_many_requests',
      error_description: 'Too many requests; retry after the number of seconds in Retry-After.',
    });
    expect(errorResponse(limited('search')).headers['www-authenticate']).toBeUndefined();
  });
});
