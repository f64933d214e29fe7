// The `Origin` (RFC 6454 section 7) and `Host` (RFC 9110 section 7.2) header values Valet
// accepts, parsed strictly: what a browser sends, and nothing that needs decoding. A repeated
// header joined with ", " (Node, the Fetch API's `headers.get()`) matches neither.

/** One origin, normalised: scheme and host in lower case, the default port of http and https left out. */
export interface ParsedOrigin {
  /** `scheme://host[:port]`, normalised. */
  readonly origin: string;
  /** `http`, `https`, ... */
  readonly scheme: string;
  /** The host name or IP address in lower case; IPv6 in brackets (`[::1]`). */
  readonly hostname: string;
}

/** One `Host` value, normalised: the name in lower case, the port (if any) as a plain number. */
export interface ParsedHost {
  /** `host[:port]`, normalised. */
  readonly host: string;
  /** The host name or IP address in lower case; IPv6 in brackets (`[::1]`). */
  readonly hostname: string;
  /** The port as written, without leading zeros; `''` when the value names none. */
  readonly port: string;
}

/** A DNS name or IPv4 address (letters, digits, `.`, `-`, `_`), or an IPv6 address in brackets. */
const HOSTNAME = String.raw`(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9._-]+)`;
const PORT = String.raw`(?::(\d{1,5}))?`;
const ORIGIN = new RegExp(String.raw`^([A-Za-z][A-Za-z0-9+.-]*)://${HOSTNAME}${PORT}$`);
const HOST = new RegExp(`^${HOSTNAME}${PORT}$`);
/** Longer than any host name (253) with a scheme and a port: not an origin a browser sends. */
const MAX_LENGTH = 300;
const DEFAULT_PORTS: Readonly<Record<string, string>> = { http: '80', https: '443' };

/**
 * The origin `value` names (`https://app.example.com`, `http://localhost:5173`), normalised;
 * `undefined` for anything else: a path, credentials, several origins, `null`.
 *
 * @example
 * ```ts
 * parseOrigin('HTTPS://App.Example.com:443')?.origin; // 'https://app.example.com'
 * parseOrigin('https://a.example, https://b.example'); // undefined
 * ```
 */
export function parseOrigin(value: string): ParsedOrigin | undefined {
  const match = value.length <= MAX_LENGTH ? ORIGIN.exec(value) : null;
  if (match === null) return undefined;
  const scheme = match[1]!.toLowerCase();
  const hostname = match[2]!.toLowerCase();
  const port = portOf(match[3]);
  if (port === undefined) return undefined;
  const origin =
    port === '' || DEFAULT_PORTS[scheme] === port
      ? `${scheme}://${hostname}`
      : `${scheme}://${hostname}:${port}`;
  return { origin, scheme, hostname };
}

/**
 * The `Host` value `value` names (`files.example.com`, `127.0.0.1:3000`, `[::1]:3000`),
 * normalised; `undefined` for anything else: a URL, credentials, several hosts.
 */
export function parseHost(value: string): ParsedHost | undefined {
  const match = value.length <= MAX_LENGTH ? HOST.exec(value) : null;
  if (match === null) return undefined;
  const hostname = match[1]!.toLowerCase();
  const port = portOf(match[2]);
  if (port === undefined) return undefined;
  return { host: port === '' ? hostname : `${hostname}:${port}`, hostname, port };
}

/** The port without leading zeros, `''` when none is written, `undefined` past 65535. */
function portOf(digits: string | undefined): string | undefined {
  if (digits === undefined) return '';
  const port = Number(digits);
  return port <= 65535 ? String(port) : undefined;
}
