import { createServer } from 'node:http';
import { JwtVerifier, tokenExchanger, type ExchangeRequest, type TokenExchanger } from '@valet/core';
import { startDevAuthorizationServer, type DevAuthorizationServer } from '@valet/testing';
import { listen } from './fixture.js';

/** The server under test, as a confidential client allowed to exchange tokens (RFC 8693). */
export const EXCHANGE_CLIENT = { clientId: 'files-api', clientSecret: 'files-api-secret' };

/** A downstream API on 127.0.0.1 that accepts only tokens the authorization server issued for it. */
export interface DownstreamApi {
  /** `http://127.0.0.1:<port>`: its URL and the audience of its tokens. */
  readonly url: string;
  /** Every request it received: the verified claims, or `null` for a token it refused (401). */
  readonly received: ({ aud: unknown; sub: unknown; act: unknown; scope: unknown } | null)[];
}

/** The dev authorization server, two downstream APIs, and an exchanger counting its exchanges. */
export interface DownstreamSetup {
  readonly as: DevAuthorizationServer;
  /** `backup:write`; `backup:admin` needs a consent the user never gave (`invalid_scope`). */
  readonly backup: DownstreamApi;
  /** `archive:write`. */
  readonly archive: DownstreamApi;
  /** The real RFC 8693 exchanger against `as`, counting its calls in `exchanges`. */
  readonly exchanger: TokenExchanger;
  readonly exchanges: ExchangeRequest[];
  /** A user token for `resource` with `scope`. */
  userToken(resource: string, scope: string): Promise<string>;
  close(): Promise<void>;
}

/**
 * Starts the downstream APIs and the dev authorization server issuing tokens for `resources`
 * (the server under test) and for them, with {@link EXCHANGE_CLIENT} allowed to exchange.
 */
export async function startDownstreamSetup(
  resources: readonly { readonly url: string; readonly scopes: readonly string[] }[],
): Promise<DownstreamSetup> {
  let issuer = '';
  const apis = await Promise.all([downstreamApi(() => issuer), downstreamApi(() => issuer)]);
  const [backup, archive] = apis.map((api) => api.api) as [DownstreamApi, DownstreamApi];
  const as = await startDevAuthorizationServer({
    resources: [
      ...resources,
      {
        url: backup.url,
        scopes: ['backup:write', 'backup:admin'],
        exchangeRequiresConsent: ['backup:admin'],
      },
      { url: archive.url, scopes: ['archive:write'] },
    ],
    clients: [{ ...EXCHANGE_CLIENT, tokenExchange: true }],
  });
  issuer = as.issuer;
  const real = tokenExchanger({ tokenEndpoint: as.tokenEndpoint, clientAuth: EXCHANGE_CLIENT });
  const exchanges: ExchangeRequest[] = [];
  return {
    as,
    backup,
    archive,
    exchanges,
    exchanger: {
      exchange(request) {
        exchanges.push(request);
        return real.exchange(request);
      },
    },
    userToken: (resource, scope) => as.authorizationCodeToken({ resource, scope }),
    async close() {
      await Promise.all(apis.map((api) => api.close()));
      await as.close();
    },
  };
}

async function downstreamApi(issuer: () => string): Promise<{ api: DownstreamApi; close(): Promise<void> }> {
  const received: DownstreamApi['received'] = [];
  let verifier: JwtVerifier | undefined;
  const state = { url: '' };
  const running = await listen(
    createServer((req, res) => {
      // The authorization server starts after the APIs: its issuer is read at the first request.
      verifier ??= new JwtVerifier({ issuer: issuer(), audience: state.url });
      const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1] ?? '';
      verifier.verify(token).then(
        ({ claims }) => {
          received.push({ aud: claims.aud, sub: claims.sub, act: claims['act'], scope: claims['scope'] });
          res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(claims));
        },
        () => {
          received.push(null);
          res.writeHead(401).end();
        },
      );
    }),
  );
  state.url = running.baseUrl;
  return { api: { url: running.baseUrl, received }, close: running.close };
}
