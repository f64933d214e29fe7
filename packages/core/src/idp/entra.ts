import type { JWTPayload } from 'jose';
import { OptionsError } from '../errors.js';
import { AnyTenantVerifier } from './options/entra-tenants.js';
import { tokenFailure } from '../verify/jwt/jose-failure.js';
import {
  presetJwtVerifier,
  presetOptions,
  refuseStrictTyp,
  requiredAudience,
  requiredText,
} from './options/preset-options.js';
import { createJwksResolver } from '../verify/jwks.js';
import type { JwtVerifierOptions } from '../verify/jwt-verifier-options.js';
import type { IdpPreset, PresetOverrides } from './preset.js';

/** Options of {@link entraId}. */
export interface EntraIdOptions extends PresetOverrides {
  /**
   * The directory (tenant) id, a GUID. With `multiTenant`, `organizations` or `common` are
   * accepted too: they only choose the key set and the authorization server URL.
   */
  readonly tenantId: string;
  /** The API's `aud`: its application (client) id for v2 tokens, its Application ID URI (`api://...`) for v1. */
  readonly audience: string | readonly string[];
  /**
   * The access token version the API receives (its manifest's `requestedAccessTokenVersion`,
   * formerly `accessTokenAcceptedVersion`): 2 (issuer `https://login.microsoftonline.com/{tid}/v2.0`)
   * or 1 (issuer `https://sts.windows.net/{tid}/`). Default 2.
   */
  readonly version?: 1 | 2;
  /** Accept tokens of other tenants (a multi-tenant app registration). Default false. */
  readonly multiTenant?: boolean;
  /** With `multiTenant`: the tenant ids accepted. Default: any tenant. */
  readonly allowedTenants?: readonly string[];
}

const GUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
const MULTI_TENANT_ID =
  /^(?:organizations|common|[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})$/;
const LOGIN = 'https://login.microsoftonline.com';

/**
 * Microsoft Entra ID (Azure AD). Scopes are delegated permissions (`scp`, a space-separated
 * string) merged with application permissions (`roles`, an array); the client is `azp` (v2) or
 * `appid` (v1). Keys come from `https://login.microsoftonline.com/{tenant}/discovery/v2.0/keys`
 * (v1: `.../discovery/keys`), RS256. The token's `tid` must be the tenant its `iss` names.
 *
 * Audience: always checked. `aud` is the API's application (client) id in v2 tokens and its
 * Application ID URI in v1 tokens (`audience`).
 *
 * `typ`: not checked. Entra ID access tokens carry `typ: JWT` (access token claims reference),
 * v1 and v2 alike, so `typ: 'at+jwt'` is refused at construction.
 *
 * Multi-tenant: the issuer is a template, `https://login.microsoftonline.com/{tenantid}/v2.0`;
 * a token is accepted when its `iss` is that template filled with its own `tid`, and, if
 * `allowedTenants` is set, `tid` is one of them. Without `allowedTenants` any tenant's users can
 * call the API once they consent to the app, which is what a multi-tenant app means; list the
 * tenants if that is not what you want. Keys then come from the `common` key set, and
 * `authorizationServer` names the `tenantId` given (use `organizations` to send clients to the
 * multi-tenant endpoint). Public cloud only.
 *
 * @example
 * ```ts
 * const idp = entraId({ tenantId: '72f988bf-86f1-41af-91ab-2d7cd011db47', audience: 'c0ffee00-0000-4000-8000-000000000001' });
 * ```
 */
export function entraId(options: EntraIdOptions): IdpPreset {
  const o = presetOptions('entraId', options);
  refuseStrictTyp('entraId', o, 'Entra ID access tokens carry typ JWT');
  const version = o.version ?? 2;
  if (version !== 1 && version !== 2) throw new OptionsError('version', 'entraId: version must be 1 or 2.');
  const multiTenant = o.multiTenant === true;
  const tenantId = multiTenant
    ? requiredText(
        'entraId',
        'tenantId',
        o.tenantId,
        'a tenant GUID, "organizations" or "common"',
        MULTI_TENANT_ID,
      )
    : requiredText('entraId', 'tenantId', o.tenantId, 'the tenant GUID', GUID).toLowerCase();
  if (o.allowedTenants !== undefined && !multiTenant) {
    throw new OptionsError('allowedTenants', 'entraId: allowedTenants needs multiTenant: true.');
  }
  const allowed = o.allowedTenants === undefined ? undefined : checkTenants(o.allowedTenants);
  const issuerOf = (tid: string) =>
    version === 2 ? `${LOGIN}/${tid}/v2.0` : `https://sts.windows.net/${tid}/`;
  const base = {
    audience: requiredAudience(
      'entraId',
      o.audience,
      "the API's application id (v2) or Application ID URI (v1)",
    ),
    jwksUri: `${LOGIN}/${multiTenant ? 'common' : tenantId}/discovery/${version === 2 ? 'v2.0/' : ''}keys`,
    algorithms: ['RS256'],
    requiredClaims: ['tid'],
    scopeClaim: ['scp', 'roles'],
    clientIdClaim: ['azp', 'appid'],
  } satisfies Omit<JwtVerifierOptions, 'issuer'>;
  const pinned = (tenants: ReadonlySet<string>) =>
    presetJwtVerifier(
      {
        ...base,
        issuer: [...tenants].map(issuerOf),
        validate: (claims) => checkTenant(claims, tenants, issuerOf),
      },
      o,
    );
  const authorizationServer = `${LOGIN}/${tenantId}/v2.0`;
  if (!multiTenant) {
    const issuer = issuerOf(tenantId);
    return Object.freeze({
      name: 'entra',
      issuer,
      authorizationServer,
      verifier: pinned(new Set([tenantId])),
    });
  }

  // Built once so that bad overrides fail here, not when the first token of a new tenant arrives.
  pinned(new Set(['00000000-0000-0000-0000-000000000000']));
  const template = issuerOf('{tenantid}');
  const [prefix = '', suffix = ''] = template.split('{tenantid}');
  const matchesIssuer = (iss: string): boolean => {
    if (!iss.startsWith(prefix) || !iss.endsWith(suffix)) return false;
    const tid = iss.slice(prefix.length, iss.length - suffix.length);
    return GUID.test(tid) && tid === tid.toLowerCase() && (allowed === undefined || allowed.has(tid));
  };
  const verifier =
    allowed !== undefined
      ? pinned(allowed)
      : new AnyTenantVerifier({
          issuerOf,
          verifierFor: (tid) => pinned(new Set([tid])),
          keys: createJwksResolver(o.jwksUri ?? base.jwksUri, { ...o.jwks, fetch: o.fetch }),
          algorithms: o.algorithms ?? base.algorithms,
          maxTokenBytes: 8192,
          maxTenants: 1000,
        });
  return Object.freeze({ name: 'entra', issuer: template, authorizationServer, verifier, matchesIssuer });
}

function checkTenants(list: readonly string[]): ReadonlySet<string> {
  if (
    !Array.isArray(list) ||
    list.length === 0 ||
    list.some((tid) => typeof tid !== 'string' || !GUID.test(tid))
  ) {
    throw new OptionsError(
      'allowedTenants',
      'entraId: allowedTenants must be a non-empty list of tenant GUIDs.',
    );
  }
  return new Set(list.map((tid) => tid.toLowerCase()));
}

/** `tid` is an accepted tenant and the very tenant `iss` names. */
function checkTenant(
  claims: JWTPayload,
  tenants: ReadonlySet<string>,
  issuerOf: (tid: string) => string,
): void {
  const tid = claims['tid'];
  if (typeof tid !== 'string' || !tenants.has(tid)) throw tokenFailure('wrong_issuer', { claim: 'tid' });
  if (claims.iss !== issuerOf(tid)) throw tokenFailure('wrong_issuer', { claim: 'iss' });
}
