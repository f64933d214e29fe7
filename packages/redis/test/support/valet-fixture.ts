import {
  CachingVerifier,
  JwtVerifier,
  PolicyRegistry,
  allOf,
  createValet,
  defineScopes,
  type StateStore,
  type Valet,
} from '@valet/core';
import { createTestIssuer, type TestIssuer } from '@valet/testing';

export const RESOURCE = 'https://api.example.test/mcp';

/** A test issuer and Valet instances over one tool, each with its own verified-token cache. */
export interface ValetFixture {
  readonly issuer: TestIssuer;
  /** A Valet instance on `store`, as one replica of a server behind a load balancer. */
  instance(store: StateStore): Valet;
  /** A bearer `Authorization` value for a fresh token with `claims`. */
  bearer(claims?: Record<string, unknown>): Promise<string>;
  close(): Promise<void>;
}

export async function valetFixture(): Promise<ValetFixture> {
  const issuer = await createTestIssuer({ audience: RESOURCE });
  const verifier = new JwtVerifier({ issuer: issuer.url, audience: RESOURCE, jwksUri: issuer.jwksUri });
  const scopes = defineScopes({ 'files:read': { description: 'Read files' } });
  return {
    issuer,
    instance: (store) =>
      createValet({
        registry: new PolicyRegistry({ catalog: scopes }).register({
          id: 'read_file',
          kind: 'tool',
          policy: allOf('files:read'),
        }),
        verifier: new CachingVerifier(verifier),
        resource: RESOURCE,
        authorizationServers: [issuer.url],
        store,
      }),
    bearer: async (claims = {}) =>
      `Bearer ${await issuer.mint({ audience: RESOURCE, scopes: ['files:read'], claims })}`,
    close: () => issuer.close(),
  };
}
