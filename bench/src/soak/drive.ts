/**
 * The load: `connections` loops per server, each sending one request after another over a
 * keep-alive connection (node:http, one Agent per server), the kind of each drawn from {@link MIX}.
 */
import { Agent, request, type IncomingHttpHeaders } from 'node:http';
import type { SoakTarget } from './servers.js';
import { MIX, type Kind, type Sent, type Tokens } from './tokens.js';

/** One answered request. */
export interface Exchange {
  readonly target: string;
  readonly kind: Kind;
  readonly sent: Sent;
  /** Milliseconds since the soak started, when the request was sent and when it was answered. */
  readonly sentAt: number;
  readonly answeredAt: number;
  /** 0 when the request failed without a response (a reset, a refused connection). */
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

const WEIGHTS = MIX.reduce((sum, [, weight]) => sum + weight, 0);

function draw(): Kind {
  let pick = Math.random() * WEIGHTS;
  for (const [kind, weight] of MIX) {
    pick -= weight;
    if (pick < 0) return kind;
  }
  return 'hit';
}

function send(
  target: SoakTarget,
  agent: Agent,
  token: string | undefined,
): Promise<Omit<Exchange, 'target' | 'kind' | 'sent' | 'sentAt' | 'answeredAt'>> {
  const headers: Record<string, string> = { ...target.headers };
  if (token !== undefined) headers['authorization'] = `Bearer ${token}`;
  if (target.body !== undefined) headers['content-length'] = String(Buffer.byteLength(target.body));
  return new Promise((resolve) => {
    const req = request(
      { host: '127.0.0.1', port: target.port, path: target.path, method: target.method, headers, agent },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
        res.on('error', () => resolve({ status: 0, headers: {}, body: '' }));
      },
    );
    req.on('error', () => resolve({ status: 0, headers: {}, body: '' }));
    req.end(target.body);
  });
}

/**
 * Loads every target with `connections` loops each until `running()` is false; `record` gets
 * every exchange. `clock()` is milliseconds since the soak started.
 */
export async function drive(
  targets: readonly SoakTarget[],
  tokens: Tokens,
  connections: number,
  running: () => boolean,
  clock: () => number,
  record: (exchange: Exchange) => void,
): Promise<void> {
  const loops = targets.flatMap((target) => {
    const agent = new Agent({ keepAlive: true, maxSockets: connections });
    return Array.from({ length: connections }, async () => {
      while (running()) {
        const { kind, sent } = tokens.take(draw(), target.name);
        const sentAt = clock();
        const answer = await send(target, agent, sent.token);
        record({ target: target.name, kind, sent, sentAt, answeredAt: clock(), ...answer });
      }
    });
  });
  await Promise.all(loops);
}
