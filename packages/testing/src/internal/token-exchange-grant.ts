import { errors as joseErrors, jwtVerify, type JWTVerifyGetKey } from 'jose';
import type { errors, Provider, ResourceServer, TokenEndpointGrantContext } from 'oidc-provider';
import type { DevClient, DevResource } from '../dev-registrations.js';

/** The grant type of OAuth 2.0 Token Exchange (RFC 8693 section 2.1). */
export const TOKEN_EXCHANGE_GRANT = 'urn:ietf:params:oauth:grant-type:token-exchange';

/** The one token type the dev authorization server exchanges and issues (RFC 8693 section 3). */
export const ACCESS_TOKEN_TYPE = 'urn:ietf:params:oauth:token-type:access_token';

/** The request parameters of RFC 8693 section 2.1, besides `grant_type`. */
export const TOKEN_EXCHANGE_PARAMETERS = [
  'audience',
  'resource',
  'scope',
  'requested_token_type',
  'subject_token',
  'subject_token_type',
  'actor_token',
  'actor_token_type',
] as const;

/** Parameters a token exchange request may repeat (section 2.1: several targets are allowed). */
export const TOKEN_EXCHANGE_REPEATABLE = ['audience', 'resource'] as const;

type ExchangeParameters = Partial<
  Record<(typeof TOKEN_EXCHANGE_PARAMETERS)[number], string | readonly string[] | undefined>
>;

/** What the token exchange grant is made from. */
export interface TokenExchangeSetup {
  readonly issuer: string;
  /** The server's public signing keys: a JWT subject token must verify with them. */
  readonly keys: JWTVerifyGetKey;
  /** The resource named by an `audience` or `resource` value, if it is one of the server's. */
  readonly findResource: (indicator: string) => DevResource | undefined;
  /** The resource server oidc-provider issues a token for `resource` with (format, lifetime, alg). */
  readonly resourceServer: (resource: DevResource) => ResourceServer;
  /** Clients allowed to exchange (`tokenExchange: true`, and `dev-client`). */
  readonly exchangingClients: ReadonlySet<string>;
  /** Where the `act` claim of each issued token is kept until `extraTokenClaims` reads it. */
  readonly tokenClaims: WeakMap<object, Record<string, unknown>>;
  readonly errors: typeof errors;
}

/**
 * Checks the token exchange options of the dev server's clients and resources, at start-up, and
 * returns the ids of the clients allowed to exchange tokens.
 */
export function exchangingClients(
  clients: readonly DevClient[],
  resources: readonly DevResource[],
  defaultClientId: string,
): ReadonlySet<string> {
  const allowed = new Set([defaultClientId]);
  for (const client of clients) {
    if (client.tokenExchange === undefined || client.clientId === defaultClientId) continue;
    if (typeof client.tokenExchange !== 'boolean') {
      throw new TypeError(
        `startDevAuthorizationServer: client "${client.clientId}": tokenExchange must be true or false.`,
      );
    }
    if (client.tokenExchange && client.clientSecret === undefined) {
      throw new Error(
        `startDevAuthorizationServer: client "${client.clientId}": tokenExchange needs a confidential client; ` +
          'give it a clientSecret (the acting client authenticates to exchange a token).',
      );
    }
    if (client.tokenExchange) allowed.add(client.clientId);
  }
  for (const resource of resources) {
    const unknown = (resource.exchangeRequiresConsent ?? []).filter(
      (scope) => !resource.scopes.includes(scope),
    );
    if (unknown.length > 0) {
      throw new Error(
        `startDevAuthorizationServer: resource "${resource.url}": exchangeRequiresConsent names ` +
          `${unknown.map((scope) => `"${scope}"`).join(', ')}, which its scopes do not list.`,
      );
    }
  }
  return allowed;
}

/**
 * The handler of the token exchange grant (RFC 8693) for oidc-provider's `registerGrantType`:
 * the authenticated client trades an access token this server issued (the subject token) for a
 * JWT access token for one of its resources, with the subject's `sub` and the client as the
 * actor (`act: { sub: client_id }`, nesting the subject token's own `act`, section 4.1).
 */
export function tokenExchangeGrant(setup: TokenExchangeSetup) {
  const { InvalidRequest, InvalidScope, InvalidTarget, UnauthorizedClient } = setup.errors;

  return async function tokenExchange(ctx: TokenEndpointGrantContext<ExchangeParameters>): Promise<void> {
    const { client, params, provider } = ctx.oidc;
    if (!setup.exchangingClients.has(client.clientId)) {
      throw new UnauthorizedClient(
        `client "${client.clientId}" may not exchange tokens; register it with tokenExchange: true`,
      );
    }
    if (params.actor_token !== undefined || params.actor_token_type !== undefined) {
      throw new InvalidRequest('actor_token is not supported: the authenticated client is the actor');
    }
    const requested = single(params.requested_token_type);
    if (requested !== undefined && requested !== ACCESS_TOKEN_TYPE) {
      throw new InvalidRequest(`requested_token_type must be ${ACCESS_TOKEN_TYPE}`);
    }
    const subjectToken = single(params.subject_token);
    if (subjectToken === undefined || subjectToken === '') {
      throw new InvalidRequest('subject_token is required');
    }
    const subjectTokenType = single(params.subject_token_type);
    if (subjectTokenType === undefined) throw new InvalidRequest('subject_token_type is required');
    if (subjectTokenType !== ACCESS_TOKEN_TYPE) {
      throw new InvalidRequest(`subject_token_type must be ${ACCESS_TOKEN_TYPE}; no other type is supported`);
    }

    const targets = new Set<DevResource>();
    for (const indicator of [...list(params.audience), ...list(params.resource)]) {
      const resource = setup.findResource(indicator);
      if (resource === undefined) {
        throw new InvalidTarget('audience or resource names no resource of this server');
      }
      targets.add(resource);
    }
    const [resource, ...others] = targets;
    if (resource === undefined) {
      throw new InvalidTarget('name the resource the token is for (audience or resource)');
    }
    if (others.length > 0) {
      throw new InvalidTarget('one resource per exchange: audience and resource name two');
    }

    const scopes = [...new Set((single(params.scope) ?? '').split(' ').filter((scope) => scope !== ''))];
    const undefinedScopes = scopes.filter((scope) => !resource.scopes.includes(scope));
    if (undefinedScopes.length > 0) {
      throw new InvalidScope(
        `the resource does not define ${undefinedScopes.join(' ')}`,
        undefinedScopes.join(' '),
      );
    }
    const withoutConsent = scopes.filter((scope) => resource.exchangeRequiresConsent?.includes(scope));
    if (withoutConsent.length > 0) {
      throw new InvalidScope(
        `the user has not consented to ${withoutConsent.join(' ')} for clients acting on their behalf`,
        withoutConsent.join(' '),
      );
    }

    const subject = await subjectOf(subjectToken, provider, setup);
    const act =
      subject.act === undefined ? { sub: client.clientId } : { sub: client.clientId, act: subject.act };
    const scope = scopes.length > 0 ? scopes.join(' ') : undefined;
    // A grant of its own, so introspection finds the token active, as it does tokens from a code.
    const grant = new provider.Grant({ accountId: subject.sub, clientId: client.clientId });
    grant.addResourceScope(resource.url, scope ?? '');
    const token = new provider.AccessToken({
      client,
      accountId: subject.sub,
      grantId: await grant.save(),
      gty: 'token_exchange',
      ...(scope === undefined ? {} : { scope }),
      resourceServer: new provider.ResourceServer(resource.url, setup.resourceServer(resource)),
    });
    setup.tokenClaims.set(token, { act });
    ctx.body = {
      access_token: await token.save(),
      issued_token_type: ACCESS_TOKEN_TYPE,
      token_type: token.tokenType,
      expires_in: token.expiration,
      ...(scope === undefined ? {} : { scope }),
    };
  };
}

/**
 * The `sub` and `act` of a subject token: a JWT must verify with the server's keys (issuer, `typ:
 * at+jwt`, expiry); an opaque token must be one the server stores and still valid. Anything else
 * is `invalid_request`, as RFC 8693 section 2.2.2 requires for an invalid subject token.
 */
async function subjectOf(
  token: string,
  provider: Provider,
  setup: TokenExchangeSetup,
): Promise<{ readonly sub: string; readonly act: unknown }> {
  const invalid = (why: string) => new setup.errors.InvalidRequest(`subject_token ${why}`);
  if (token.split('.').length === 3) {
    try {
      const { payload } = await jwtVerify(token, setup.keys, { issuer: setup.issuer, typ: 'at+jwt' });
      if (typeof payload.sub !== 'string') throw invalid('has no sub');
      return { sub: payload.sub, act: payload['act'] };
    } catch (error) {
      if (error instanceof setup.errors.InvalidRequest) throw error;
      throw invalid(
        error instanceof joseErrors.JWTExpired
          ? 'is expired'
          : 'is not a valid access token from this server (signature, issuer or type)',
      );
    }
  }
  const found = (await provider.AccessToken.find(token)) ?? (await provider.ClientCredentials.find(token));
  if (found === undefined || !found.isValid) throw invalid('is unknown to this server or expired');
  const sub = found.kind === 'AccessToken' ? found.accountId : found.clientId;
  if (sub === undefined) throw invalid('has no subject');
  return { sub, act: found.extra?.['act'] };
}

function single(value: string | readonly string[] | undefined): string | undefined {
  return typeof value === 'string' ? value : value?.[0];
}

function list(value: string | readonly string[] | undefined): readonly string[] {
  if (value === undefined) return [];
  return typeof value === 'string' ? [value] : value;
}
