import { describe, expect, it } from '@jest/globals';
import {
  ForbiddenError,
  InsufficientScopeError,
  InvalidRequestError,
  InvalidTokenError,
  MissingTokenError,
  OptionsError,
  PolicyConfigError,
  ValetError,
  type ValetErrorCode,
} from '../../src/errors.js';
import { errorBody, errorResponse } from '../../src/http/error-response.js';

const META = 'https://api.example.com/.well-known/oauth-protected-resource/mcp';
const options = { resourceMetadata: META };

describe('errorResponse', () => {
  it('answers a missing token with 401, a challenge without error code, and body "unauthorized"', () => {
    const response = errorResponse(new MissingTokenError('Authentication required.'), options);
    expect(response).toEqual({
      status: 401,
      headers: {
        'content-type': 'application/json',
        'cache-control': 'no-store',
        'www-authenticate': `Bearer resource_metadata="${META}"`,
      },
      body: { error: 'unauthorized', error_description: 'Authentication required.' },
    });
  });

  it('answers an invalid token with 401 invalid_token', () => {
    const response = errorResponse(new InvalidTokenError('expired', 'The access token expired.'), options);
    expect(response.status).toBe(401);
    expect(response.headers['www-authenticate']).toBe(
      `Bearer error="invalid_token", error_description="The access token expired.", resource_metadata="${META}"`,
    );
    expect(response.body).toEqual({ error: 'invalid_token', error_description: 'The access token expired.' });
  });

  it('answers a malformed request with 400 invalid_request and a challenge', () => {
    const response = errorResponse(new InvalidRequestError('Two Authorization headers.'));
    expect(response.status).toBe(400);
    expect(response.headers['www-authenticate']).toBe(
      'Bearer error="invalid_request", error_description="Two Authorization headers."',
    );
    expect(response.body.error).toBe('invalid_request');
  });

  it('answers missing scopes with 403 and the scopes to ask for (MCP step-up)', () => {
    const error = new InsufficientScopeError('Tool "write_file" requires scope "files:write".', {
      required: ['files:write'],
    });
    const response = errorResponse(error, options);
    expect(response.status).toBe(403);
    expect(response.headers['www-authenticate']).toContain('error="insufficient_scope"');
    expect(response.headers['www-authenticate']).toContain('scope="files:write"');
    // The JSON body is not a header: the message stays as written.
    expect(response.body).toEqual({
      error: 'insufficient_scope',
      error_description: 'Tool "write_file" requires scope "files:write".',
    });
  });

  it('answers a refusal by a rule other than scopes with 403 access_denied and no challenge', () => {
    const response = errorResponse(
      new ForbiddenError('Tool "rm" is refused by "owner-of-path".', 'rm'),
      options,
    );
    expect(response.status).toBe(403);
    expect(response.headers['www-authenticate']).toBeUndefined();
    expect(response.body).toEqual({
      error: 'access_denied',
      error_description: 'Tool "rm" is refused by "owner-of-path".',
    });
  });

  it('freezes what it returns', () => {
    const response = errorResponse(new MissingTokenError());
    expect(Object.isFrozen(response)).toBe(true);
    expect(Object.isFrozen(response.headers)).toBe(true);
    expect(Object.isFrozen(response.body)).toBe(true);
  });
});

describe('Security: configuration details leaking through 5xx bodies', () => {
  it.each([
    new PolicyConfigError('Tool "admin_reset" requires unknown scope "admin:rest" (see /srv/app/tools.ts)'),
    new OptionsError('secret', 'secret must be at least 32 bytes; got "hunter2"'),
  ])('%p gets a fixed sentence, no challenge, status 500', (error) => {
    const response = errorResponse(error, options);
    expect(response.status).toBe(500);
    expect(response.headers['www-authenticate']).toBeUndefined();
    expect(response.body).toEqual({
      error: 'server_error',
      error_description: 'The server could not authorize the request.',
    });
    expect(JSON.stringify(response)).not.toContain(error.message);
  });

  it('treats an error code it does not know (another copy of Valet) as a server error', () => {
    const foreign = new ValetError('ERR_FROM_THE_FUTURE' as ValetErrorCode, 418, 'internal detail');
    expect(errorBody(foreign)).toEqual({
      error: 'server_error',
      error_description: 'The server could not authorize the request.',
    });
    expect(errorResponse(foreign).status).toBe(500);
  });
});
