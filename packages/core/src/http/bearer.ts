import { OptionsError } from '../errors.js';
import type { BearerRequest } from './bearer-request.js';
import { checkTokenSyntax, takeBearerToken } from './syntax/bearer-header.js';

/** Options of {@link extractBearerToken}. */
export interface ExtractBearerOptions {
  /** Longest token accepted, in characters (tokens are ASCII). Default {@link DEFAULT_MAX_TOKEN_BYTES}. */
  readonly maxTokenBytes?: number;
}

/** 8 KiB: well above real access tokens, well below what makes parsing a cost. */
export const DEFAULT_MAX_TOKEN_BYTES = 8192;

/**
 * Takes the access token from a request: the single place where every adapter does it.
 *
 * Only the `Authorization: Bearer <token>` header is accepted (RFC 6750 section 2.1). The scheme
 * is case-insensitive and followed by one or more spaces (RFC 7235 `1*SP`); a tab, a second
 * value, or a character outside b64token is malformed. Throws:
 * - {@link InvalidRequestError} (400): several Authorization headers or credentials; a token
 *   in the query (the MCP spec forbids it) or in a form body (Valet supports only the header
 *   method), with or without a header; `Bearer` with no token; a malformed token;
 * - {@link MissingTokenError} (401, no error code): no header, an empty one, or another scheme
 *   (`Basic`, `DPoP`, ...), since RFC 6750 section 3.1 treats an unsupported method as no
 *   credentials;
 * - {@link InvalidTokenError} `too_large` (401): a token longer than `maxTokenBytes`.
 *
 * Messages never contain the token, nor an unrecognised scheme (it may be a token sent without
 * one). Throws {@link OptionsError} for an invalid `maxTokenBytes`.
 *
 * @example
 * ```ts
 * const token = extractBearerToken({
 *   authorization: req.headersDistinct.authorization,
 *   query: req.url,
 *   body: req.body,
 *   contentType: req.headers['content-type'],
 * });
 * ```
 */
export function extractBearerToken(request: BearerRequest, options?: ExtractBearerOptions): string {
  const maxTokenBytes = options?.maxTokenBytes ?? DEFAULT_MAX_TOKEN_BYTES;
  if (!Number.isSafeInteger(maxTokenBytes) || maxTokenBytes < 1) {
    throw new OptionsError('maxTokenBytes', 'maxTokenBytes must be a positive integer (a length in bytes).');
  }
  const token = takeBearerToken(request, maxTokenBytes);
  checkTokenSyntax(token);
  return token;
}
