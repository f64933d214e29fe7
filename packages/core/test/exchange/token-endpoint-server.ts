import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { jwtVerify, type CryptoKey, type JWTPayload, type KeyObject } from 'jose';

/** How the test endpoint expects this server's client to authenticate. */
export type ExpectedClient =
  | { readonly method: 'client_secret_basic'; readonly clientId: string; readonly clientSecret: string }
  | { readonly method: 'client_secret_post'; readonly clientId: string; readonly clientSecret: string }
  | {
      readonly method: 'private_key_jwt';
      readonly clientId: string;
      readonly publicKey: CryptoKey | KeyObject;
    };

/** One request the endpoint received. */
export interface Recorded {
  readonly path: string;
  readonly authorization: string | undefined;
  readonly form: URLSearchParams;
  /** The verified client assertion's header and claims, for private_key_jwt. */
  readonly assertion?: { readonly header: Record<string, unknown>; readonly claims: JWTPayload };
}

export type Reply = (res: ServerResponse) => void;

/** Decodes client_secret_basic the way RFC 6749 2.3.1 servers must (form-urldecode after base64). */
function decodeBasic(header: string | undefined): [string, string] {
  const decoded = Buffer.from((header ?? '').replace(/^Basic /, ''), 'base64').toString('utf8');
  const [id = '', secret = ''] = decoded
    .split(':')
    .map((part) => decodeURIComponent(part.replace(/\+/g, ' ')));
  return [id, secret];
}

export function json(body: unknown, status = 200, headers: Record<string, string> = {}): Reply {
  return (res) => {
    res.writeHead(status, { 'content-type': 'application/json', ...headers });
    res.end(JSON.stringify(body));
  };
}

/**
 * A small token endpoint on 127.0.0.1 (RFC 8693 and Entra ID's on-behalf-of grant): checks the
 * client's authentication (all three methods; the private_key_jwt assertion verified with jose),
 * records every request, and answers with `reply(form)`: by default an exchanged token whose value
 * names the request. Serves RFC 8414 metadata at `/.well-known/oauth-authorization-server`.
 */
export class TokenEndpointServer {
  readonly requests: Recorded[] = [];
  /** The answer to a well-authenticated request. */
  reply: (form: URLSearchParams) => Reply = (form) => json(exchanged(form));
  /** Requests wait this long before the answer, in milliseconds. */
  delayMs = 0;
  /** The metadata's `token_endpoint`; discovery requests are counted. */
  discoveries = 0;
  discoveryFails = false;
  #server: Server | undefined;
  origin = '';

  constructor(readonly client: ExpectedClient) {}

  get url(): string {
    return `${this.origin}/token`;
  }

  async start(): Promise<this> {
    this.#server = createServer((req, res) => void this.#handle(req, res));
    await new Promise<void>((resolve) => this.#server!.listen(0, '127.0.0.1', resolve));
    this.origin = `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}`;
    return this;
  }

  async close(): Promise<void> {
    this.#server?.closeAllConnections();
    await new Promise((resolve) => this.#server?.close(resolve));
  }

  /** Requests to the token endpoint. */
  get tokenRequests(): Recorded[] {
    return this.requests.filter((request) => request.path === '/token');
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (req.url === '/.well-known/oauth-authorization-server') {
      this.discoveries++;
      if (this.discoveryFails) return json({ error: 'down' }, 500)(res);
      return json({ issuer: this.origin, jwks_uri: `${this.origin}/jwks`, token_endpoint: this.url })(res);
    }
    let raw = '';
    for await (const chunk of req) raw += String(chunk);
    const form = new URLSearchParams(raw);
    const recorded: { -readonly [K in keyof Recorded]: Recorded[K] } = {
      path: req.url ?? '',
      authorization: req.headers.authorization,
      form,
    };
    this.requests.push(recorded);
    if (req.method !== 'POST' || req.headers['content-type'] !== 'application/x-www-form-urlencoded') {
      return json({ error: 'invalid_request' }, 400)(res);
    }
    const authenticated = await this.#authenticated(req, form, recorded);
    if (!authenticated) return json({ error: 'invalid_client' }, 401)(res);
    const reply = this.reply(form);
    if (this.delayMs > 0) await new Promise((resolve) => setTimeout(resolve, this.delayMs));
    if (!res.destroyed) reply(res);
  }

  async #authenticated(
    req: IncomingMessage,
    form: URLSearchParams,
    recorded: { assertion?: Recorded['assertion'] },
  ): Promise<boolean> {
    const client = this.client;
    if (client.method === 'client_secret_basic') {
      const [id, secret] = decodeBasic(req.headers.authorization);
      return id === client.clientId && secret === client.clientSecret && !form.has('client_secret');
    }
    if (client.method === 'client_secret_post') {
      return (
        req.headers.authorization === undefined &&
        form.get('client_id') === client.clientId &&
        form.get('client_secret') === client.clientSecret
      );
    }
    if (form.get('client_assertion_type') !== 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer')
      return false;
    try {
      const { payload, protectedHeader } = await jwtVerify(
        form.get('client_assertion') ?? '',
        client.publicKey,
        {
          issuer: client.clientId,
          subject: client.clientId,
          audience: this.url,
          maxTokenAge: '2 minutes',
          requiredClaims: ['jti', 'exp', 'iat'],
        },
      );
      recorded.assertion = { header: { ...protectedHeader }, claims: payload };
      return true;
    } catch {
      return false;
    }
  }
}

let issued = 0;

/** An RFC 8693 answer whose token names its audience and scopes, and a count, so tests can tell them apart. */
export function exchanged(
  form: URLSearchParams,
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  issued++;
  const audience = form.get('audience') ?? form.get('resource') ?? form.get('scope');
  return {
    access_token: `downstream-${issued}-${audience}-${form.get('scope') ?? ''}`,
    issued_token_type: 'urn:ietf:params:oauth:token-type:access_token',
    token_type: 'Bearer',
    expires_in: 3600,
    ...(form.has('scope') ? { scope: form.get('scope') } : {}),
    ...extra,
  };
}
