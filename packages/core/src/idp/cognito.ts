import type { JWTPayload } from 'jose';
import { InvalidTokenError, OptionsError } from '../errors.js';
import { presetJwtVerifier, presetOptions, refuseStrictTyp, requiredText } from './options/preset-options.js';
import type { IdpPreset, PresetOverrides } from './preset.js';

/** Options of {@link cognito}. */
export interface CognitoOptions extends PresetOverrides {
  /** The AWS region of the user pool, e.g. `us-east-1`. */
  readonly region: string;
  /** The user pool id, `{region}_{id}`, e.g. `us-east-1_AbCdEf123`. */
  readonly userPoolId: string;
  /** The app client id (or ids) whose tokens this server accepts. */
  readonly clientId: string | readonly string[];
}

/**
 * Amazon Cognito user pools. Issuer `https://cognito-idp.{region}.amazonaws.com/{userPoolId}`,
 * keys from `{issuer}/.well-known/jwks.json`, RS256.
 *
 * Cognito access tokens carry no `aud` (AWS, "Understanding the access token"), so the audience
 * check is off and the preset checks the `client_id` claim instead: it must be one of
 * `clientId`, and `token_use` must be `access`
 * (a Cognito ID token, whose `aud` is the client id, is refused as `wrong_type`). Scopes are the
 * `scope` string (custom scopes look like `https://mcp.example.com/files.read`).
 *
 * `typ`: not checked. The header of a Cognito access token is only `kid` and `alg`, so
 * `typ: 'at+jwt'` is refused at construction.
 *
 * @example
 * ```ts
 * const idp = cognito({ region: 'us-east-1', userPoolId: 'us-east-1_AbCdEf123', clientId: '1example23456789' });
 * ```
 */
export function cognito(options: CognitoOptions): IdpPreset {
  const o = presetOptions('cognito', options);
  refuseStrictTyp('cognito', o, 'Cognito access tokens have no typ header');
  const region = requiredText(
    'cognito',
    'region',
    o.region,
    'an AWS region like "us-east-1"',
    /^[a-z]{2}(-[a-z]+)+-\d+$/,
  );
  const userPoolId = requiredText(
    'cognito',
    'userPoolId',
    o.userPoolId,
    `a user pool id of region ${region}, like "${region}_AbCdEf123"`,
    /^[a-z0-9-]+_[A-Za-z0-9]+$/,
  );
  if (!userPoolId.startsWith(`${region}_`)) {
    throw new OptionsError(
      'userPoolId',
      `cognito: userPoolId "${userPoolId}" belongs to another region than ${region}.`,
    );
  }
  const clientIds = new Set(
    typeof o.clientId === 'string' ? [o.clientId] : Array.isArray(o.clientId) ? o.clientId : [],
  );
  if (clientIds.size === 0 || [...clientIds].some((id) => typeof id !== 'string' || id === '')) {
    throw new OptionsError(
      'clientId',
      'cognito: clientId is required: the app client id(s) whose tokens to accept.',
    );
  }
  const issuer = `https://cognito-idp.${region}.amazonaws.com/${userPoolId}`;
  const verifier = presetJwtVerifier(
    {
      issuer,
      audience: false,
      jwksUri: `${issuer}/.well-known/jwks.json`,
      algorithms: ['RS256'],
      requiredClaims: ['token_use', 'client_id'],
      scopeClaim: 'scope',
      clientIdClaim: 'client_id',
      validate: (claims: JWTPayload) => {
        if (claims['token_use'] !== 'access') {
          throw new InvalidTokenError('wrong_type', 'The token is not a Cognito access token (token_use).', {
            claim: 'token_use',
          });
        }
        if (typeof claims['client_id'] !== 'string' || !clientIds.has(claims['client_id'])) {
          throw new InvalidTokenError(
            'wrong_audience',
            'The token was issued to an app client this server does not accept.',
            {
              claim: 'client_id',
            },
          );
        }
      },
    },
    o,
  );
  return Object.freeze({ name: 'cognito', issuer, authorizationServer: issuer, verifier });
}
