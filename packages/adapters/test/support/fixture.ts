import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import {
  JwtVerifier,
  PolicyRegistry,
  createValet,
  defineScopes,
  type Principal,
  type TokenVerifier,
  type Valet,
  type ValetOptions,
} from '@valet/core';
import { createTestIssuer, type TestIssuer } from '@valet/testing';

/** The resource the adapter tests protect. */
export const RESOURCE = 'https://files.example.test/api';

/** A real verifier that counts its calls, to prove a request is verified once. */
export interface CountingVerifier extends TokenVerifier {
  readonly calls: number;
}

/** What the adapter tests share: a running test issuer and ways to build Valets trusting it. */
export interface AdapterFixture {
  readonly issuer: TestIssuer;
  /** A token for {@link RESOURCE} with these scopes (subject `test-user` unless given). */
  token(scopes: readonly string[], subject?: string): Promise<string>;
  /** A fresh Valet with its own registry (catalog: files:read (basic), files:write, admin). */
  valet(overrides?: Partial<ValetOptions>): Valet;
  /** A JwtVerifier for the issuer, counting calls. */
  countingVerifier(): CountingVerifier;
  close(): Promise<void>;
}

export async function adapterFixture(): Promise<AdapterFixture> {
  const issuer = await createTestIssuer({ audience: RESOURCE });
  const jwt = () => new JwtVerifier({ issuer: issuer.url, audience: RESOURCE, jwksUri: issuer.jwksUri });
  const verifier = jwt();
  return {
    issuer,
    token: (scopes, subject) => issuer.mint({ scopes, audience: RESOURCE, ...(subject ? { subject } : {}) }),
    valet: (overrides = {}) =>
      createValet({
        registry: new PolicyRegistry({
          catalog: defineScopes({
            'files:read': { description: 'Read files', basic: true },
            'files:write': { description: 'Write files' },
            admin: { description: 'Administer' },
          }),
        }),
        resource: RESOURCE,
        verifier,
        authorizationServers: [issuer.url],
        ...overrides,
      }),
    countingVerifier() {
      const inner = jwt();
      let calls = 0;
      return {
        get calls() {
          return calls;
        },
        verify(token: string): Promise<Principal> {
          calls += 1;
          return inner.verify(token);
        },
      };
    },
    close: () => issuer.close(),
  };
}

/** Listens on 127.0.0.1:0; returns the base URL and a close function. */
export function listen(server: Server): Promise<{ baseUrl: string; close(): Promise<void> }> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      resolve({
        baseUrl: `http://127.0.0.1:${port}`,
        close: () =>
          new Promise<void>((done, fail) => {
            server.closeAllConnections();
            server.close((err) => (err ? fail(err) : done()));
          }),
      });
    });
  });
}
