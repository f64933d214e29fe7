import { MissingTokenError, OptionsError, type Principal, type TokenVerifier, type Valet } from '@valet/core';

/**
 * Verifies the access token a stdio MCP server is started with (stdio has no HTTP request to
 * carry one, so it usually comes from an environment variable) and returns the principal to
 * give {@link bindToolsets} as `principal`. Every call is then authorized for that principal;
 * once its token expires, calls are refused until the server is restarted with a new one.
 * Throws {@link MissingTokenError} when there is no token and `InvalidTokenError` when the
 * verifier refuses it: fail at start-up, not at the first call.
 *
 * @example
 * ```ts
 * const principal = await verifyStdioToken(valet, process.env.MCP_ACCESS_TOKEN);
 * const server = bindToolsets(new McpServer({ name: 'files', version: '1.0.0' }), { toolsets, valet, principal });
 * await server.connect(new StdioServerTransport());
 * ```
 */
export async function verifyStdioToken(
  verifier: Valet | TokenVerifier,
  token: string | undefined,
): Promise<Principal> {
  const source =
    (verifier as Partial<Valet> | undefined)?.verifier ?? (verifier as TokenVerifier | undefined);
  if (typeof source?.verify !== 'function') {
    throw new OptionsError('verifier', 'verifyStdioToken() needs a Valet or a TokenVerifier.');
  }
  const trimmed = typeof token === 'string' ? token.trim() : '';
  if (trimmed === '') {
    throw new MissingTokenError(
      'No access token was given to the stdio server: start it with one (for example in MCP_ACCESS_TOKEN), or bind a local principal.',
    );
  }
  return source.verify(trimmed);
}
