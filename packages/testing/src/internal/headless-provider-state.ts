import { randomBytes } from 'node:crypto';
import type { OAuthDiscoveryState } from '@modelcontextprotocol/sdk/client/auth.js';
import type {
  OAuthClientInformationMixed,
  OAuthClientMetadata,
  OAuthTokens,
} from '@modelcontextprotocol/sdk/shared/auth.js';

/** What an MCP SDK client keeps between OAuth steps, held in memory for one session. */
export interface HeadlessProviderState {
  client: OAuthClientInformationMixed | undefined;
  /** Whether `client` came from a dynamic registration (not handed in pre-registered). */
  registered: boolean;
  tokens: OAuthTokens | undefined;
  codeVerifier: string | undefined;
  /** What discovery found (resource and authorization server metadata), kept with the verifier. */
  discovery: OAuthDiscoveryState | undefined;
  pending: URL | undefined;
  readonly authorizationUrls: URL[];
}

/** The client metadata a headless client registers with: a public client using PKCE. */
export function defaultClientMetadata(
  redirectUrl: string,
  scope: string | undefined,
  overrides: Partial<OAuthClientMetadata>,
): OAuthClientMetadata {
  return {
    client_name: 'Valet headless test client',
    redirect_uris: [redirectUrl],
    grant_types: ['authorization_code'],
    response_types: ['code'],
    token_endpoint_auth_method: 'none',
    ...(scope === undefined ? {} : { scope }),
    ...overrides,
  };
}

/** A fresh `state` parameter: 128 random bits. */
export function newState(): string {
  return randomBytes(16).toString('base64url');
}
