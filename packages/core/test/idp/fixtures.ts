import { createTestIssuer, type TestIssuer, type TestIssuerOptions } from '@valet/testing';

/**
 * A test issuer standing in for an IdP's real hosts: `fetch` sends every request for the IdP's
 * documented JWKS or metadata URL to the test issuer instead, and records the URL asked for, so
 * a test proves both the documented URL and the token shape without leaving 127.0.0.1.
 */
export interface IdpStandIn {
  readonly issuer: TestIssuer;
  /** Pass as the preset's `fetch`. */
  readonly fetch: typeof fetch;
  /** The URLs the preset asked for, in order. */
  readonly requested: string[];
}

export async function idpStandIn(options: TestIssuerOptions = {}): Promise<IdpStandIn> {
  const issuer = await createTestIssuer(options);
  const requested: string[] = [];
  const standIn: typeof fetch = (input, init) => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    requested.push(url.href);
    const target = url.pathname.endsWith('/.well-known/openid-configuration')
      ? `${issuer.url}/.well-known/openid-configuration`
      : url.pathname.startsWith('/.well-known/oauth-authorization-server')
        ? `${issuer.url}/.well-known/oauth-authorization-server`
        : issuer.jwksUri;
    return fetch(target, init);
  };
  return { issuer, fetch: standIn, requested };
}
