import { createPrincipal, type Principal } from '@valet/core';
import type { AuthInfo } from '@modelcontextprotocol/sdk/server/auth/types.js';

const PRINCIPAL_KEY = 'valetPrincipal';

/**
 * The SDK's `AuthInfo` for a principal, so `extra.authInfo` reaches every handler. The principal
 * rides along in `extra.valetPrincipal`, so {@link principalFromAuthInfo} gets it back intact.
 */
export function authInfoOf(principal: Principal): AuthInfo {
  const info: AuthInfo = {
    token: principal.token,
    clientId: principal.clientId ?? principal.subject ?? '',
    scopes: [...principal.scopes],
    extra: { [PRINCIPAL_KEY]: principal, subject: principal.subject, issuer: principal.issuer },
  };
  if (principal.expiresAt !== undefined) info.expiresAt = principal.expiresAt;
  const resource = principal.audience.find((aud) => URL.canParse(aud));
  if (resource !== undefined) info.resource = new URL(resource);
  return info;
}

/** The principal an `AuthInfo` made by {@link authInfoOf} carries, or one built from its fields (another middleware's). */
export function principalFromAuthInfo(info: AuthInfo): Principal {
  const carried = info.extra?.[PRINCIPAL_KEY];
  if (isPrincipal(carried)) return carried;
  const subject = info.extra?.['subject'];
  const issuer = info.extra?.['issuer'];
  return createPrincipal({
    token: info.token,
    clientId: info.clientId === '' ? undefined : info.clientId,
    subject: typeof subject === 'string' ? subject : undefined,
    issuer: typeof issuer === 'string' ? issuer : undefined,
    audience: info.resource ? [info.resource.href] : [],
    scopes: info.scopes,
    expiresAt: info.expiresAt,
  });
}

function isPrincipal(value: unknown): value is Principal {
  return (
    typeof value === 'object' &&
    value !== null &&
    Object.isFrozen(value) &&
    (value as Principal).scopes instanceof Set &&
    typeof (value as Principal).token === 'string'
  );
}
