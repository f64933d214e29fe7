import { OptionsError } from '../../errors.js';
import { httpsOrigin, requiredText } from './preset-options.js';

/**
 * An Okta custom authorization server, named by its issuer URL or by its domain and id: how the
 * `okta` preset and `oktaTokenExchange` take it.
 */
export type OktaAuthorizationServer =
  | {
      /** The custom authorization server's issuer, `https://{domain}/oauth2/{authorizationServerId}`. */
      readonly issuer: string;
      readonly domain?: undefined;
      readonly authorizationServerId?: undefined;
    }
  | {
      /** The Okta domain, `dev-123456.okta.com` or a custom domain. */
      readonly domain: string;
      /** The custom authorization server id: `default`, or `aus...` for one you created. */
      readonly authorizationServerId: string;
      readonly issuer?: undefined;
    };

/** The members {@link oktaIssuer} reads, before they are known to be an {@link OktaAuthorizationServer}. */
interface OktaIssuerOptions {
  readonly issuer?: string;
  readonly domain?: string;
  readonly authorizationServerId?: string;
}

/**
 * The issuer of an Okta custom authorization server, `https://{domain}/oauth2/{id}`, from
 * `issuer` or from `domain` and `authorizationServerId`. `who` names the caller in messages (the
 * `okta` preset, `oktaTokenExchange`); Okta's org authorization server is refused: its tokens are
 * for Okta's own APIs.
 */
export function oktaIssuer(who: string, options: OktaIssuerOptions): string {
  if (options.issuer !== undefined) {
    if (options.domain !== undefined || options.authorizationServerId !== undefined) {
      throw new OptionsError(
        'issuer',
        `${who}: set either issuer, or domain and authorizationServerId, not both.`,
      );
    }
    const url = requiredText(
      who,
      'issuer',
      options.issuer,
      'a URL like "https://dev-123456.okta.com/oauth2/default"',
    );
    const match = /^(https:\/\/[^/?#]+)\/oauth2\/([A-Za-z0-9_-]+)\/?$/.exec(url);
    if (match === null) {
      throw new OptionsError(
        'issuer',
        `${who}: issuer must be a custom authorization server, "https://{domain}/oauth2/{id}" (e.g. /oauth2/default); ` +
          "Okta's org authorization server issues tokens for Okta's own APIs only.",
      );
    }
    return `${httpsOrigin(who, 'issuer', match[1], 'dev-123456.okta.com')}/oauth2/${match[2]}`;
  }
  const origin = httpsOrigin(who, 'domain', options.domain, 'dev-123456.okta.com');
  const id = requiredText(
    who,
    'authorizationServerId',
    options.authorizationServerId,
    'the id of a custom authorization server, e.g. "default"',
    /^[A-Za-z0-9_-]+$/,
  );
  return `${origin}/oauth2/${id}`;
}
