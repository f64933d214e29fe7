import type { OAuthClientProvider } from '@modelcontextprotocol/sdk/client/auth.js';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type {
  OAuthClientInformationMixed,
  OAuthClientMetadata,
  OAuthTokens,
} from '@modelcontextprotocol/sdk/shared/auth.js';
import type { Implementation } from '@modelcontextprotocol/sdk/types.js';
import { authorizeHeadless, type HeadlessAuthorization } from './authorize-headless.js';
import {
  defaultClientMetadata,
  newState,
  type HeadlessProviderState,
} from './internal/headless-provider-state.js';
import { loadMcpClientSdk, type McpClientSdk } from './internal/mcp-client-sdk.js';
import { stepUpRefusal, unusableTokenError } from './internal/oauth-flow-errors.js';

/** Options of {@link headlessOAuthProvider}. */
export interface HeadlessOAuthProviderOptions {
  /**
   * The client's redirect URI. Nothing listens there: the headless browser stops at the redirect
   * to it and takes the code. Default `http://127.0.0.1/callback`, the dev authorization server's
   * default redirect URI for its clients.
   */
  readonly redirectUrl?: string | URL;
  /**
   * Over the metadata the client registers with (RFC 7591): `client_name`, `redirect_uris`
   * (`[redirectUrl]`), `grant_types: ['authorization_code']`, `response_types: ['code']`,
   * `token_endpoint_auth_method: 'none'` (a public client with PKCE).
   */
  readonly clientMetadata?: Partial<OAuthClientMetadata>;
  /**
   * A client registered beforehand, e.g. `{ client_id: 'my-app' }` for a client listed in
   * `startDevAuthorizationServer({ clients })`. Without it the SDK registers one dynamically.
   */
  readonly clientInformation?: OAuthClientInformationMixed;
  /** Scope to ask for when neither the server's challenge nor its metadata names one. */
  readonly scope?: string;
}

/**
 * The MCP SDK's {@link OAuthClientProvider}, kept in memory, that records each authorization URL
 * the SDK wants a browser to open instead of opening one; {@link HeadlessOAuthProvider.authorize}
 * then plays the user with {@link authorizeHeadless}.
 */
export interface HeadlessOAuthProvider extends OAuthClientProvider {
  readonly redirectUrl: string;
  readonly clientMetadata: OAuthClientMetadata;
  /** Every authorization URL the SDK asked to open, oldest first. */
  readonly authorizationUrls: readonly URL[];
  /** The authorization URL not yet completed with {@link HeadlessOAuthProvider.authorize}. */
  readonly pendingAuthorizationUrl: URL | undefined;
  /** Whether the client information came from a dynamic registration rather than the options. */
  readonly dynamicallyRegistered: boolean;
  clientInformation(): OAuthClientInformationMixed | undefined;
  tokens(): OAuthTokens | undefined;
  /** The scopes granted with the tokens held now (the token response's `scope`). */
  grantedScopes(): string[];
  /**
   * Completes the pending authorization headlessly and returns the authorization code (hand it to
   * `transport.finishAuth`). Throws when nothing is pending, when the authorization server refuses,
   * or when the `state` it sends back is not the one sent.
   */
  authorize(options?: { readonly fetch?: typeof fetch }): Promise<string>;
  /**
   * Completes the pending authorization like {@link HeadlessOAuthProvider.authorize}, but returns
   * the parameters of the redirect back to the client (`code`, `state`, `iss`), as a real callback
   * receives them. Hand them to the SDK v2 transport's `finishAuth`: SDK v2 checks the RFC 9207
   * `iss` against the authorization server it used and refuses a bare code from a server that
   * advertises `iss` (as the dev authorization server does).
   *
   * @example
   * ```ts
   * // @modelcontextprotocol/client (SDK v2), after an UnauthorizedError:
   * await transport.finishAuth(await provider.authorizeCallback());
   * ```
   */
  authorizeCallback(options?: { readonly fetch?: typeof fetch }): Promise<URLSearchParams>;
}

/**
 * Creates a {@link HeadlessOAuthProvider}: pass it as `authProvider` to the SDK's
 * `StreamableHTTPClientTransport`, or let {@link connectWithOAuth} run the whole flow with it.
 *
 * @example
 * ```ts
 * const provider = headlessOAuthProvider({ clientInformation: { client_id: 'my-app' } });
 * const { client } = await connectWithOAuth({ url: 'http://127.0.0.1:3000/mcp', provider });
 * ```
 */
export function headlessOAuthProvider(options: HeadlessOAuthProviderOptions = {}): HeadlessOAuthProvider {
  const redirectUrl = String(options.redirectUrl ?? 'http://127.0.0.1/callback');
  if (!URL.canParse(redirectUrl)) {
    throw new TypeError(`headlessOAuthProvider: redirectUrl must be an absolute URL; got "${redirectUrl}".`);
  }
  const clientMetadata = defaultClientMetadata(redirectUrl, options.scope, options.clientMetadata ?? {});
  const state: HeadlessProviderState = {
    client: options.clientInformation,
    registered: false,
    tokens: undefined,
    codeVerifier: undefined,
    discovery: undefined,
    pending: undefined,
    authorizationUrls: [],
  };

  // Plays the user for the pending authorization URL; the state must come back unchanged.
  async function completeAuthorization(authorizeOptions: {
    readonly fetch?: typeof fetch;
  }): Promise<HeadlessAuthorization> {
    const url = state.pending;
    if (url === undefined) {
      throw new Error(
        'headlessOAuthProvider.authorize: the SDK has not asked for an authorization; call it after an UnauthorizedError.',
      );
    }
    state.pending = undefined;
    const result = await authorizeHeadless(url, {
      redirectUri: redirectUrl,
      ...(authorizeOptions.fetch === undefined ? {} : { fetch: authorizeOptions.fetch }),
    });
    if (result.state !== (url.searchParams.get('state') ?? undefined)) {
      throw new Error(
        'headlessOAuthProvider.authorize: the authorization response carries a state this client did not send; refused (a forged or replayed response).',
      );
    }
    return result;
  }

  return {
    redirectUrl,
    clientMetadata,
    authorizationUrls: state.authorizationUrls,
    get pendingAuthorizationUrl() {
      return state.pending;
    },
    get dynamicallyRegistered() {
      return state.registered;
    },
    state: newState,
    clientInformation: () => state.client,
    saveClientInformation(information) {
      // The SDK also saves pre-registered information once, stamped with the issuer it used.
      state.registered ||= state.client === undefined;
      state.client = information;
    },
    tokens: () => state.tokens,
    saveTokens(tokens) {
      state.tokens = tokens;
    },
    grantedScopes: () => state.tokens?.scope?.split(' ').filter((scope) => scope !== '') ?? [],
    redirectToAuthorization(url) {
      state.authorizationUrls.push(url);
      state.pending = url;
    },
    saveCodeVerifier(verifier) {
      state.codeVerifier = verifier;
    },
    codeVerifier() {
      if (state.codeVerifier === undefined) {
        throw new Error('headlessOAuthProvider: no PKCE code verifier; no authorization was started.');
      }
      return state.codeVerifier;
    },
    // SDK v2 checks at the callback that the code goes to the authorization server it was asked
    // of (SEP-2352); it finds that server here.
    saveDiscoveryState(discovery) {
      state.discovery = discovery;
    },
    discoveryState: () => state.discovery,
    invalidateCredentials(scope) {
      if (scope === 'all' || scope === 'client') {
        state.client = undefined;
        state.registered = false;
      }
      if (scope === 'all' || scope === 'tokens') state.tokens = undefined;
      if (scope === 'all' || scope === 'verifier') state.codeVerifier = undefined;
      if (scope === 'all' || scope === 'discovery') state.discovery = undefined;
    },
    async authorize(authorizeOptions = {}) {
      return (await completeAuthorization(authorizeOptions)).code;
    },
    async authorizeCallback(authorizeOptions = {}) {
      return new URLSearchParams((await completeAuthorization(authorizeOptions)).callbackUrl.searchParams);
    },
  };
}

/** Options of {@link connectWithOAuth}. */
export interface ConnectWithOAuthOptions {
  /** The MCP server's Streamable HTTP endpoint (its resource identifier). */
  readonly url: string | URL;
  /** The OAuth state of this client. Default a fresh {@link headlessOAuthProvider} (dynamic registration). */
  readonly provider?: HeadlessOAuthProvider;
  /** How the client introduces itself in `initialize`. Default `{ name: 'valet-testing', version: '1.0.0' }`. */
  readonly clientInfo?: Implementation;
  /** The fetch implementation for the MCP server and the authorization server. Default the global `fetch`. */
  readonly fetch?: typeof fetch;
}

/** An MCP client connected with an access token from the OAuth flow; see {@link connectWithOAuth}. */
export interface OAuthMcpConnection {
  /** The connected SDK client. */
  readonly client: Client;
  readonly transport: StreamableHTTPClientTransport;
  readonly provider: HeadlessOAuthProvider;
  /**
   * Runs `call`; when the server refuses it with 403 `insufficient_scope` (or 401) and the SDK
   * starts a new authorization for the scopes in the challenge, completes it headlessly and runs
   * `call` once more. Throws an error naming the scopes asked and granted when the server still
   * refuses after that. One call at a time per connection.
   *
   * @example
   * ```ts
   * const result = await connection.withStepUp(() =>
   *   connection.client.callTool({ name: 'write_file', arguments: { path: 'a.txt', content: 'hi' } }),
   * );
   * ```
   */
  withStepUp<T>(call: () => Promise<T>): Promise<T>;
  /** Closes the client and its transport. */
  close(): Promise<void>;
}

/**
 * Connects an MCP SDK client to a server protected by OAuth and runs the SDK's own authorization
 * flow headlessly: the 401 challenge leads the SDK to the protected resource metadata and the
 * authorization server (discovery), it registers a client if none is given (RFC 7591), the
 * authorization code + PKCE step runs through {@link authorizeHeadless} (an auto-consenting
 * authorization server such as {@link startDevAuthorizationServer} is required), the SDK exchanges
 * the code for tokens, and the client reconnects with them. For tests and local development.
 *
 * @example
 * ```ts
 * const connection = await connectWithOAuth({ url: 'http://127.0.0.1:3000/mcp' });
 * const { tools } = await connection.client.listTools();
 * await connection.close();
 * ```
 */
export async function connectWithOAuth(options: ConnectWithOAuthOptions): Promise<OAuthMcpConnection> {
  if (!URL.canParse(String(options.url))) {
    throw new TypeError(`connectWithOAuth: url must be an absolute URL; got "${String(options.url)}".`);
  }
  const url = new URL(options.url);
  const provider = options.provider ?? headlessOAuthProvider();
  const sdk = await loadMcpClientSdk();
  const authorizeOptions = options.fetch === undefined ? {} : { fetch: options.fetch };
  const open = () => {
    const transport = new sdk.StreamableHTTPClientTransport(url, {
      authProvider: provider,
      ...(options.fetch === undefined ? {} : { fetch: options.fetch }),
    });
    const client = new sdk.Client(options.clientInfo ?? { name: 'valet-testing', version: '1.0.0' });
    return { transport, client };
  };

  let { transport, client } = open();
  try {
    await client.connect(transport);
  } catch (error) {
    if (!isAuthorizationRedirect(sdk, error, provider)) throw error;
    await transport.finishAuth(await provider.authorize(authorizeOptions));
    ({ transport, client } = open());
    try {
      await client.connect(transport);
    } catch (retryError) {
      if (isAuthorizationRedirect(sdk, retryError, provider))
        throw unusableTokenError(url, provider, retryError);
      throw retryError;
    }
  }

  return {
    client,
    transport,
    provider,
    async withStepUp(call) {
      const asked = provider.authorizationUrls.length;
      try {
        return await call();
      } catch (error) {
        if (!(error instanceof sdk.UnauthorizedError) || provider.authorizationUrls.length === asked)
          throw error;
        const scope = provider.pendingAuthorizationUrl?.searchParams.get('scope') ?? '';
        let code: string;
        try {
          code = await provider.authorize(authorizeOptions);
        } catch (refusal) {
          throw stepUpRefusal(scope, provider, refusal);
        }
        await transport.finishAuth(code);
        try {
          return await call();
        } catch (retryError) {
          if (retryError instanceof sdk.StreamableHTTPError && retryError.code === 403) {
            throw stepUpRefusal(scope, provider, retryError);
          }
          throw retryError;
        }
      }
    },
    close: () => client.close(),
  };
}

function isAuthorizationRedirect(
  sdk: McpClientSdk,
  error: unknown,
  provider: HeadlessOAuthProvider,
): boolean {
  return error instanceof sdk.UnauthorizedError && provider.pendingAuthorizationUrl !== undefined;
}
