import { request } from 'node:http';

/** A request as sent on the wire: every header line given is sent as is, repeated ones included. */
export interface WireRequest {
  readonly method: string;
  readonly path: string;
  readonly headers?: readonly (readonly [string, string])[];
  readonly body?: string;
}

/** A response as received, with its raw text for leak checks. */
export interface WireResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  /** Values of every `WWW-Authenticate` header line. */
  readonly challenges: readonly string[];
  readonly body: string;
  /** Status line, every header and the body: what must never contain a token. */
  readonly raw: string;
}

/**
 * Sends one request over a fresh connection (node:http, so repeated header lines stay separate).
 * `Host` is the server's address unless the request gives its own.
 */
export function exchange(baseUrl: string, req: WireRequest): Promise<WireResponse> {
  const url = new URL(baseUrl);
  const ownHost = req.headers?.some(([name]) => name.toLowerCase() === 'host') === true;
  const lines: string[] = [...(ownHost ? [] : ['Host', url.host]), 'Connection', 'close'];
  for (const [name, value] of req.headers ?? []) lines.push(name, value);
  if (req.body !== undefined) lines.push('Content-Length', String(Buffer.byteLength(req.body)));
  return new Promise((resolve, reject) => {
    const outgoing = request(
      {
        host: url.hostname,
        port: url.port,
        method: req.method,
        path: req.path,
        headers: lines,
        agent: false,
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('error', reject);
        res.on('end', () => {
          const challenges = res.rawHeaders.filter(
            (_, i, all) => i % 2 === 1 && all[i - 1]!.toLowerCase() === 'www-authenticate',
          );
          resolve({
            status: res.statusCode!,
            headers: res.headers,
            challenges,
            body,
            raw: `${res.statusCode} ${res.statusMessage}\n${res.rawHeaders.join('\n')}\n\n${body}`,
          });
        });
      },
    );
    outgoing.on('error', reject);
    outgoing.end(req.body);
  });
}

/** A parsed `WWW-Authenticate` challenge: the scheme and its auth-params (RFC 9110 section 11.6.1). */
export interface Challenge {
  readonly scheme: string;
  readonly params: Readonly<Record<string, string>>;
}

const PARAM = /^([!#$%&'*+\-.^_`|~0-9A-Za-z]+)="((?:[^"\\]|\\.)*)"(?:, |$)/;
/** The start of the next challenge in a list: an auth-scheme and a space (RFC 9110 section 11.6.1). */
const NEXT_SCHEME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+ /;

/**
 * Parses a `WWW-Authenticate` value strictly as Valet must write it: one or more challenges
 * `Scheme k="v", k2="v2"`, separated by ", " (with DPoP allowed, a 401 carries `Bearer ...,
 * DPoP ...`), every value a quoted-string, no duplicate params within a challenge. Anything else
 * throws, so a sloppy header fails the suite instead of being read generously.
 */
export function parseChallenges(value: string): Challenge[] {
  if (/,\s*$/.test(value)) throw new Error(`malformed challenge: ${value}`);
  const challenges: Challenge[] = [];
  let rest = value;
  while (rest !== '') {
    const space = rest.indexOf(' ');
    if (space <= 0 || !NEXT_SCHEME.test(rest)) throw new Error(`malformed challenge at: ${rest}`);
    const scheme = rest.slice(0, space);
    const params: Record<string, string> = {};
    rest = rest.slice(space + 1);
    while (rest !== '' && !NEXT_SCHEME.test(rest)) {
      const match = PARAM.exec(rest);
      if (match === null) throw new Error(`malformed auth-param at: ${rest}`);
      const [whole, name, quoted] = match;
      if (Object.hasOwn(params, name!)) throw new Error(`auth-param "${name}" appears twice`);
      params[name!] = quoted!.replace(/\\(.)/g, '$1');
      rest = rest.slice(whole.length);
    }
    challenges.push({ scheme, params });
  }
  return challenges;
}

/** The first challenge of a value {@link parseChallenges} parses (every one is checked): Valet writes `Bearer` first. */
export function parseChallenge(value: string): Challenge {
  return parseChallenges(value)[0]!;
}
