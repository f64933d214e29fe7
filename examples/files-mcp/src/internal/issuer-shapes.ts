import { OptionsError } from '@valet/core';
import type { IdpName, PresetSettings } from '../config.js';

const GUID = '[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}';

/** What VALET_ISSUER looks like for each preset, for the error message. */
const EXAMPLES: Readonly<Record<IdpName, string>> = {
  oidc: 'https://auth.example.com',
  auth0: 'https://example.us.auth0.com/',
  okta: 'https://dev-123456.okta.com/oauth2/default',
  keycloak: 'https://sso.example.com/realms/acme',
  entra:
    'https://login.microsoftonline.com/{tenant id}/v2.0 (v2 tokens) or https://sts.windows.net/{tenant id}/ (v1)',
  cognito: 'https://cognito-idp.us-east-1.amazonaws.com/us-east-1_AbCdEf123',
  scalekit: 'https://acme.scalekit.dev or https://acme.scalekit.dev/resources/res_123',
  workos: 'https://acme.authkit.app or https://api.workos.com/user_management/client_123',
};

/**
 * The settings of preset `idp`, read off the issuer URL (already checked to be an absolute
 * https URL, or http on loopback, without credentials, query or fragment): each provider's
 * issuer names everything its preset needs. Throws {@link OptionsError} for `VALET_ISSUER` when
 * the URL does not have the provider's shape.
 */
export function presetSettings(idp: IdpName, issuer: string, url: URL): PresetSettings {
  if (url.protocol !== 'https:' && idp !== 'oidc' && idp !== 'keycloak') {
    throw new OptionsError(
      'VALET_ISSUER',
      `VALET_IDP=${idp} needs an https VALET_ISSUER, like ${EXAMPLES[idp]}.`,
    );
  }
  const path = url.pathname;
  const root = path === '/' || path === '';
  let match: RegExpExecArray | null;
  switch (idp) {
    case 'oidc':
      return { idp, issuer };
    case 'auth0':
      if (root) return { idp, domain: url.host };
      break;
    case 'okta':
      if (/^\/oauth2\/[A-Za-z0-9_-]+\/?$/.test(path)) return { idp, issuer };
      break;
    case 'keycloak':
      if ((match = /^(.*)\/realms\/([^/]+)\/?$/.exec(path)) !== null) {
        return { idp, url: `${url.origin}${match[1]}`, realm: decodeURIComponent(match[2]!) };
      }
      break;
    case 'entra':
      if (url.host === 'login.microsoftonline.com') {
        match = new RegExp(`^/(${GUID})/v2\\.0/?$`).exec(path);
        if (match !== null) return { idp, tenantId: match[1]!, version: 2 };
      } else if (url.host === 'sts.windows.net') {
        match = new RegExp(`^/(${GUID})/?$`).exec(path);
        if (match !== null) return { idp, tenantId: match[1]!, version: 1 };
      }
      break;
    case 'cognito': {
      const region = /^cognito-idp\.([a-z0-9-]+)\.amazonaws\.com$/.exec(url.host)?.[1];
      match = /^\/([a-z0-9-]+_[A-Za-z0-9]+)\/?$/.exec(path);
      if (region !== undefined && match !== null) return { idp, region, userPoolId: match[1]! };
      break;
    }
    case 'scalekit':
      if (root) return { idp, environmentUrl: url.origin };
      if ((match = /^\/resources\/([A-Za-z0-9_-]+)\/?$/.exec(path)) !== null) {
        return { idp, environmentUrl: url.origin, resourceId: match[1]! };
      }
      break;
    case 'workos':
      if (url.host === 'api.workos.com') {
        match = /^\/user_management\/([A-Za-z0-9_]+)\/?$/.exec(path);
        if (match !== null) return { idp, clientId: match[1]! };
      } else if (root) {
        return { idp, authkitDomain: url.host };
      }
      break;
  }
  throw new OptionsError(
    'VALET_ISSUER',
    `VALET_ISSUER does not have the shape VALET_IDP=${idp} expects: ${EXAMPLES[idp]}.`,
  );
}
