import {
  OptionsError,
  auth0,
  cognito,
  entraId,
  keycloak,
  oidc,
  okta,
  scalekit,
  workos,
  type IdpPreset,
  type PresetOverrides,
} from '@valet/core';
import type { IssuerAuth } from './config.js';

/** The environment variable each preset option comes from, for error messages. */
const VARIABLES: Readonly<Record<string, string>> = {
  audience: 'VALET_TOKEN_AUDIENCE',
  clientId: 'VALET_CLIENT_ID',
  jwksUri: 'VALET_JWKS_URI',
};

/**
 * The Valet IdP preset for a configured issuer: its verifier checks tokens (issuer, audience,
 * signature, lifetime, the provider's scope claim), its authorization server goes into the
 * protected resource metadata. Builds the verifier only; keys are fetched on the first token.
 * Throws {@link OptionsError} naming the environment variable a bad setting came from.
 *
 * @example
 * ```ts
 * const config = loadConfig(process.env);
 * if (config.auth.mode === 'issuer') {
 *   const idp = identityProvider(config.auth);
 *   createValet({ registry, resource: config.resource, idp });
 * }
 * ```
 */
export function identityProvider(auth: IssuerAuth): IdpPreset {
  const overrides: PresetOverrides = auth.jwksUri === undefined ? {} : { jwksUri: auth.jwksUri };
  const audience = auth.tokenAudience;
  const preset = auth.preset;
  try {
    switch (preset.idp) {
      case 'oidc':
        return oidc({ ...overrides, issuer: preset.issuer, audience });
      case 'auth0':
        return auth0({ ...overrides, domain: preset.domain, audience });
      case 'okta':
        return okta({ ...overrides, issuer: preset.issuer, audience });
      case 'keycloak':
        return keycloak({ ...overrides, url: preset.url, realm: preset.realm, audience });
      case 'entra':
        return entraId({ ...overrides, tenantId: preset.tenantId, version: preset.version, audience });
      case 'cognito':
        return cognito({
          ...overrides,
          region: preset.region,
          userPoolId: preset.userPoolId,
          clientId: auth.clientIds,
        });
      case 'scalekit':
        return scalekit({
          ...overrides,
          environmentUrl: preset.environmentUrl,
          audience,
          ...(preset.resourceId === undefined ? {} : { resourceId: preset.resourceId }),
        });
      case 'workos':
        return 'clientId' in preset
          ? workos({ ...overrides, clientId: preset.clientId, ...(audience.length > 0 ? { audience } : {}) })
          : workos({ ...overrides, authkitDomain: preset.authkitDomain, audience });
    }
  } catch (error) {
    if (!(error instanceof OptionsError)) throw error;
    const variable = VARIABLES[error.field] ?? 'VALET_ISSUER';
    throw new OptionsError(variable, `${variable} (VALET_IDP=${preset.idp}): ${error.message}`);
  }
}
