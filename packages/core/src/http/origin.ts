import { OptionsError, OriginNotAllowedError } from '../errors.js';
import { isLoopbackHost } from './loopback.js';
import { parseHost, parseOrigin } from './syntax/origin.js';

/** Which browser origins and which `Host` names a resource answers: the options of `createValet`. */
export interface OriginOptions {
  /**
   * Origins (`scheme://host[:port]`) whose pages may call the resource, or `'*'` for any.
   * Requests without an `Origin` header always pass.
   */
  readonly allowedOrigins?: readonly string[] | '*';
  /** `Host` values the resource answers to: `host` (any port) or `host:port`. */
  readonly allowedHosts?: readonly string[];
}

/**
 * Checks one request's `Origin` and `Host` header values (as sent; `undefined` when absent) and
 * throws {@link OriginNotAllowedError} when either is not allowed.
 */
export type OriginCheck = (origin: string | undefined, host: string | undefined) => void;

/** The allowed origins, compiled: exact values, and whether any origin or any loopback one passes. */
interface OriginRule {
  readonly any: boolean;
  readonly exact: ReadonlySet<string>;
  readonly loopback: boolean;
}

/** The allowed hosts, compiled: exact `host[:port]` values, names allowed on any port, any loopback name. */
interface HostRule {
  readonly exact: ReadonlySet<string>;
  readonly anyPort: ReadonlySet<string>;
  readonly loopback: boolean;
}

const WHAT_AN_ORIGIN_IS = 'write scheme://host[:port] without a path, like "https://app.example.com"';

/**
 * Compiles the DNS rebinding protection of a resource once, at start-up (throwing
 * {@link OptionsError} naming `allowedOrigins` or `allowedHosts`), into the check `admit` runs
 * first on every request.
 *
 * - `Origin`: absent passes (non-browser clients send none). Otherwise it must be one origin
 *   in `allowedOrigins`; by default the resource's own origin and, for a loopback resource, every
 *   `http`/`https` loopback origin on any port. `null` passes only `allowedOrigins: '*'`.
 * - `Host`: checked against `allowedHosts` when given; otherwise only for a loopback resource,
 *   where it must be a loopback name (a browser tricked by DNS rebinding sends the attacker's
 *   name, often without an `Origin`: a same-origin GET). Absent: not checked.
 */
export function originCheck(resource: URL, options: OriginOptions): OriginCheck {
  const loopback = isLoopbackHost(resource.hostname);
  const origins = originRule(options.allowedOrigins, resource, loopback);
  const hosts = hostRule(options.allowedHosts, resource, loopback);
  return (origin, host) => {
    // Browsers send origins normalised: the usual request is one set lookup, no parsing.
    if (origin !== undefined && !origins.exact.has(origin)) checkOrigin(origin, origins);
    if (host !== undefined && hosts !== undefined && !hosts.exact.has(host)) checkHost(host, hosts);
  };
}

function checkOrigin(value: string, rule: OriginRule): void {
  if (value === 'null') {
    if (rule.any) return;
    throw new OriginNotAllowedError(
      'origin',
      'Origin "null" (a sandboxed frame, a local file or a redirect) is not allowed to call this server ' +
        "(DNS rebinding protection); only createValet({ allowedOrigins: '*' }) accepts it.",
    );
  }
  const parsed = parseOrigin(value);
  if (parsed === undefined) {
    throw new OriginNotAllowedError(
      'origin',
      'The Origin header is not one origin (scheme://host[:port]); send at most one.',
    );
  }
  if (
    rule.any ||
    rule.exact.has(parsed.origin) ||
    (rule.loopback && isWebScheme(parsed.scheme) && isLoopbackHost(parsed.hostname))
  ) {
    return;
  }
  throw new OriginNotAllowedError(
    'origin',
    `Origin "${parsed.origin}" is not allowed to call this server (DNS rebinding protection). ` +
      'To serve browser pages from it, list it in createValet({ allowedOrigins }).',
  );
}

function checkHost(value: string, rule: HostRule): void {
  const parsed = parseHost(value);
  if (parsed === undefined) {
    throw new OriginNotAllowedError('host', 'The Host header is not one host[:port].');
  }
  if (
    rule.exact.has(parsed.host) ||
    rule.anyPort.has(parsed.hostname) ||
    (rule.loopback && isLoopbackHost(parsed.hostname))
  ) {
    return;
  }
  throw new OriginNotAllowedError(
    'host',
    `Host "${parsed.host}" is not a name this server answers to (DNS rebinding protection). ` +
      'If clients reach it under that name, list it in createValet({ allowedHosts }).',
  );
}

function originRule(value: unknown, resource: URL, loopback: boolean): OriginRule {
  if (value === '*') return { any: true, exact: new Set(), loopback: false };
  if (value === undefined) {
    return { any: false, exact: new Set([ownOrigin(resource)]), loopback };
  }
  if (!Array.isArray(value)) {
    throw new OptionsError(
      'allowedOrigins',
      `allowedOrigins must be '*' or an array of origins; ${WHAT_AN_ORIGIN_IS}.`,
    );
  }
  const exact = new Set<string>();
  for (const item of value as unknown[]) {
    if (item === '*') {
      throw new OptionsError(
        'allowedOrigins',
        "allowedOrigins: give '*' on its own (allowedOrigins: '*'), not inside a list.",
      );
    }
    if (item === 'null') {
      throw new OptionsError(
        'allowedOrigins',
        'allowedOrigins cannot list "null": sandboxed frames, local files and redirects all send it, ' +
          "so it names no one; only allowedOrigins: '*' lets it in.",
      );
    }
    const parsed = typeof item === 'string' ? parseOrigin(item.replace(/\/$/, '')) : undefined;
    if (parsed === undefined) {
      throw new OptionsError(
        'allowedOrigins',
        `allowedOrigins: ${JSON.stringify(item)} is not an origin; ${WHAT_AN_ORIGIN_IS}.`,
      );
    }
    exact.add(parsed.origin);
  }
  return { any: false, exact, loopback: false };
}

function hostRule(value: unknown, resource: URL, loopback: boolean): HostRule | undefined {
  if (value === undefined) {
    // The resource's own host is the usual value: one set lookup, no parsing.
    return loopback ? { exact: new Set([resource.host]), anyPort: new Set(), loopback } : undefined;
  }
  const example = 'like ["files.example.com", "localhost:3000"]';
  if (!Array.isArray(value) || value.length === 0) {
    throw new OptionsError(
      'allowedHosts',
      `allowedHosts must be a non-empty array of host names, each with an optional port, ${example}; leave it out for the default.`,
    );
  }
  const exact = new Set<string>();
  const anyPort = new Set<string>();
  for (const item of value as unknown[]) {
    const parsed = typeof item === 'string' ? parseHost(item) : undefined;
    if (parsed === undefined) {
      const url = typeof item === 'string' && URL.canParse(item) ? new URL(item) : undefined;
      const hint = url?.host ? `; give the host of the URL: "${url.host}"` : `, ${example}`;
      throw new OptionsError(
        'allowedHosts',
        `allowedHosts: ${JSON.stringify(item)} is not a host name with an optional port${hint}.`,
      );
    }
    exact.add(parsed.host);
    if (parsed.port === '') anyPort.add(parsed.hostname);
  }
  return { exact, anyPort, loopback: false };
}

/** `scheme://host[:port]` of the resource, as a browser serialises it. */
function ownOrigin(resource: URL): string {
  return `${resource.protocol}//${resource.host}`;
}

function isWebScheme(scheme: string): boolean {
  return scheme === 'http' || scheme === 'https';
}
