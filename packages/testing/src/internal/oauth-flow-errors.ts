/** What these messages read of the headless provider. */
interface ProviderState {
  readonly dynamicallyRegistered: boolean;
  readonly redirectUrl: string | URL;
  grantedScopes(): readonly string[];
}

/**
 * Why a step-up failed, with the scopes asked and granted, and, for a dynamically registered
 * client, the usual cause: oidc-provider (and so the dev authorization server) limits such a
 * client to the scope it registered with.
 */
export function stepUpRefusal(scope: string, provider: ProviderState, cause: unknown): Error {
  const reason = cause instanceof Error ? cause.message : String(cause);
  const scopeRefused = /invalid_scope|403/.test(reason);
  const hint =
    scopeRefused && provider.dynamicallyRegistered
      ? ' The client registered itself dynamically, and oidc-provider (so the dev authorization server)' +
        ' limits such a client to the scope it registered with: register a public client up front' +
        ` (startDevAuthorizationServer({ clients: [{ clientId, redirectUris: ["${provider.redirectUrl}"] }] }))` +
        ' and pass headlessOAuthProvider({ clientInformation: { client_id: clientId } }).'
      : '';
  return new Error(
    `withStepUp: re-authorization for "${scope}" did not get the call through (${reason});` +
      ` the tokens held grant "${provider.grantedScopes().join(' ')}".${hint}`,
    { cause },
  );
}

/** The server refused the token the flow just obtained: a configuration mismatch, not a scope. */
export function unusableTokenError(url: URL, provider: ProviderState, cause: unknown): Error {
  return new Error(
    `connectWithOAuth: ${url.href} refused the access token the authorization server just issued` +
      ` (scopes "${provider.grantedScopes().join(' ')}"); check that the server trusts that issuer` +
      ' and accepts its tokens for this resource (audience).',
    { cause },
  );
}
