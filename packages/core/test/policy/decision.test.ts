import { describe, expect, it } from '@jest/globals';
import { ForbiddenError, InsufficientScopeError, MissingTokenError } from '../../src/errors.js';
import { createPrincipal } from '../../src/principal.js';
import { Authorizer } from '../../src/policy/authorizer.js';
import { decisionError } from '../../src/policy/decision.js';
import { allOf, and, not, or } from '../../src/policy/policy.js';
import { PolicyRegistry } from '../../src/policy/registry.js';

const registry = new PolicyRegistry()
  .register({ id: 'write_file', kind: 'tool', policy: allOf('files:write') })
  .register({ id: 'share', kind: 'tool', policy: or(allOf('files:share'), allOf('admin')) })
  .register({ id: 'guest_only', kind: 'tool', policy: and(allOf('files:read'), not(allOf('admin'))) });
const authorizer = new Authorizer(registry);
const principal = (...scopes: string[]) => createPrincipal({ subject: 'alice', scopes, token: 't' });

describe('decisionError', () => {
  it('is undefined for an allowed decision', () => {
    expect(decisionError(authorizer.authorizeSync(principal('files:write'), 'write_file'))).toBeUndefined();
  });

  it('answers a caller without a token with MissingTokenError carrying the required scopes', () => {
    const error = decisionError(authorizer.authorizeSync(null, 'write_file'));
    expect(error).toBeInstanceOf(MissingTokenError);
    expect(error).toMatchObject({
      status: 401,
      scopes: ['files:write'],
      message: 'Tool "write_file" requires a bearer token with scope "files:write".',
    });
    expect(error?.challenge).toEqual({ scope: ['files:write'] });
  });

  it('answers missing scopes with InsufficientScopeError (403, insufficient_scope challenge)', () => {
    const error = decisionError(authorizer.authorizeSync(principal('files:read'), 'share'));
    expect(error).toBeInstanceOf(InsufficientScopeError);
    expect(error).toMatchObject({
      status: 403,
      required: ['files:share'],
      missing: ['files:share'],
      operationId: 'share',
      message:
        'Tool "share" requires files:share or admin; the token grants "files:read", missing "files:share".',
    });
    expect(error?.challenge).toEqual({
      error: 'insufficient_scope',
      errorDescription: error?.message,
      scope: ['files:share'],
    });
  });

  it('answers what no scope can fix with ForbiddenError', () => {
    const error = decisionError(authorizer.authorizeSync(principal('files:read', 'admin'), 'guest_only'));
    expect(error).toBeInstanceOf(ForbiddenError);
    expect(error).toMatchObject({ status: 403, operationId: 'guest_only' });
    expect(error?.challenge).toBeUndefined();
    const unknown = decisionError(authorizer.authorizeSync(principal(), 'nope'));
    expect(unknown).toBeInstanceOf(ForbiddenError);
    expect(unknown?.message).toBe('No policy registered for operation "nope" (default deny).');
  });

  it('asks an anonymous caller for a token before revealing whether an operation exists', () => {
    expect(decisionError(authorizer.authorizeSync(null, 'nope'))).toBeInstanceOf(MissingTokenError);
  });
});
