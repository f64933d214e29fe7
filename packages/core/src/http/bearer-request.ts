/** The parts of an HTTP request that can carry an access token, as a framework hands them over. */
export interface BearerRequest {
  /**
   * Every `Authorization` header value. Pass an array when the framework keeps duplicates
   * (Node: `req.headersDistinct.authorization`; `req.headers` silently drops all but the first);
   * the Fetch API's `headers.get()` joins duplicates with `", "`, which is recognised too.
   */
  readonly authorization?: string | readonly string[] | undefined;
  /** The query: a request target (`/mcp?x=1`), a query string, `URLSearchParams`, or a parsed object (`req.query`). */
  readonly query?: string | URLSearchParams | Readonly<Record<string, unknown>> | undefined;
  /** The body (raw, `URLSearchParams` or parsed); inspected only when form-encoded or when `contentType` is not given. */
  readonly body?: unknown;
  /** The request's `Content-Type`. */
  readonly contentType?: string | undefined;
}
