import { createTestIssuer, type TestIssuer } from '@valet/testing';
import { allOf, publicAccess } from '../../src/policy/policy.js';
import { PolicyRegistry } from '../../src/policy/registry.js';
import { defineScopes } from '../../src/policy/scope-catalog.js';
import { createValet, type Valet, type ValetOptions } from '../../src/valet.js';
import { JwtVerifier } from '../../src/verify/jwt-verifier.js';

export const RESOURCE = 'https://api.example.test/mcp';
export const METADATA_URL = 'https://api.example.test/.well-known/oauth-protected-resource/mcp';

/** A test issuer, a verifier for it, and Valets over a small files catalog. */
export interface ValetFixture {
  readonly issuer: TestIssuer;
  readonly verifier: JwtVerifier;
  /** read_file (files:read), write_file (files:write, implies files:read), health (public); overrides win. */
  valetWith(overrides?: Partial<ValetOptions>): Valet;
  /** A bearer `Authorization` value for a fresh token. */
  bearer(options?: { scopes?: string[]; subject?: string }): Promise<string>;
  close(): Promise<void>;
}

export const catalog = () =>
  defineScopes({
    'files:read': { description: 'Read files', basic: true },
    'files:write': { description: 'Write files', implies: ['files:read'] },
  });

export async function valetFixture(): Promise<ValetFixture> {
  const issuer = await createTestIssuer({ audience: RESOURCE });
  const verifier = new JwtVerifier({ issuer: issuer.url, audience: RESOURCE, jwksUri: issuer.jwksUri });
  return {
    issuer,
    verifier,
    valetWith(overrides = {}) {
      const registry =
        overrides.registry ??
        new PolicyRegistry({ catalog: catalog() })
          .register({ id: 'read_file', kind: 'tool', policy: allOf('files:read') })
          .register({ id: 'write_file', kind: 'tool', policy: allOf('files:write') })
          .register({ id: 'health', kind: 'route', policy: publicAccess() });
      return createValet({
        verifier,
        authorizationServers: [issuer.url],
        resource: RESOURCE,
        ...overrides,
        registry,
      });
    },
    bearer: async (options = {}) => `Bearer ${await issuer.mint({ audience: RESOURCE, ...options })}`,
    close: () => issuer.close(),
  };
}
