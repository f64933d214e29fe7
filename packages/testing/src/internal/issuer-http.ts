import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { EndpointOutage } from '../test-issuer-types.js';

/**
 * What a route group does instead of answering at once: fail (`outage`), answer after a delay
 * (`slow`), or alternate between failing and serving, failing first (`flapping`).
 */
type GroupFault =
  | { readonly kind: 'outage'; readonly outage: EndpointOutage }
  | { readonly kind: 'slow'; readonly delayMs: number }
  | {
      readonly kind: 'flapping';
      readonly outage: EndpointOutage;
      readonly periodMs: number;
      readonly since: number;
    };

/** An endpoint served as JSON: its current body, or `undefined` for 404. */
export interface JsonRoute {
  /** The counter name this route's requests are tallied under. */
  readonly counter: string;
  /** The outage group this route belongs to (`stop(group)` fails every route of the group). */
  readonly group: string;
  readonly body: () => unknown;
}

/**
 * A minimal JSON-over-HTTP server on 127.0.0.1 with per-route request counters and switchable
 * outages; what a test issuer needs and nothing more.
 */
export class JsonServer {
  readonly #server: Server;
  readonly #routes = new Map<string, JsonRoute>();
  readonly #faults = new Map<string, GroupFault>();
  readonly #hanging = new Set<ServerResponse>();
  readonly #delayed = new Map<ServerResponse, NodeJS.Timeout>();
  readonly #counts = new Map<string, number>();

  private constructor(server: Server) {
    this.#server = server;
    server.on('request', (req: IncomingMessage, res: ServerResponse) => this.#handle(req, res));
  }

  /** Starts listening on 127.0.0.1 on a free port. */
  static async listen(): Promise<{ readonly server: JsonServer; readonly origin: string }> {
    const server = createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    const { port } = server.address() as AddressInfo;
    return { server: new JsonServer(server), origin: `http://127.0.0.1:${port}` };
  }

  /** Serves `route` at `path` (a URL path, without query). */
  route(path: string, route: JsonRoute): void {
    this.#routes.set(path, route);
    this.#counts.set(route.counter, this.#counts.get(route.counter) ?? 0);
  }

  /** Requests received per counter, outages and switched-off routes (404) included. */
  counts(): Readonly<Record<string, number>> {
    return Object.freeze(Object.fromEntries(this.#counts));
  }

  resetCounts(): void {
    for (const counter of this.#counts.keys()) this.#counts.set(counter, 0);
  }

  /** Makes every route of `group` fail with `outage` until {@link start}. */
  stop(group: string, outage: EndpointOutage): void {
    this.#faults.set(group, { kind: 'outage', outage });
  }

  /** Makes every route of `group` answer correctly, but only `delayMs` after each request, until {@link start}. */
  slow(group: string, delayMs: number): void {
    this.#faults.set(group, { kind: 'slow', delayMs });
  }

  /** Makes every route of `group` fail with `outage` for `periodMs`, then serve for `periodMs`, and so on. */
  flap(group: string, periodMs: number, outage: EndpointOutage): void {
    this.#faults.set(group, { kind: 'flapping', outage, periodMs, since: Date.now() });
  }

  /** Ends the fault of `group`; requests left hanging are cut off, slow ones are still answered. */
  start(group: string): void {
    this.#faults.delete(group);
    this.#releaseHanging();
  }

  async close(): Promise<void> {
    this.#releaseHanging();
    for (const [res, timer] of this.#delayed) {
      clearTimeout(timer);
      res.destroy();
    }
    this.#delayed.clear();
    const closed = new Promise<void>((resolve) => this.#server.close(() => resolve()));
    this.#server.closeAllConnections();
    await closed;
  }

  #releaseHanging(): void {
    for (const res of this.#hanging) res.destroy();
    this.#hanging.clear();
  }

  #handle(req: IncomingMessage, res: ServerResponse): void {
    const path = new URL(req.url ?? '/', 'http://127.0.0.1').pathname;
    const route = req.method === 'GET' ? this.#routes.get(path) : undefined;
    if (route !== undefined) this.#counts.set(route.counter, (this.#counts.get(route.counter) ?? 0) + 1);
    const body = route?.body();
    if (route === undefined || body === undefined) {
      res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"not_found"}');
      return;
    }
    const fault = this.#faults.get(route.group);
    if (fault?.kind === 'slow') {
      const timer = setTimeout(() => {
        this.#delayed.delete(res);
        // Read when answering: keys rotated during the delay are served, as a real server would.
        this.#answer(res, route.body());
      }, fault.delayMs);
      this.#delayed.set(res, timer);
      res.on('close', () => {
        clearTimeout(timer);
        this.#delayed.delete(res);
      });
      return;
    }
    const outage = fault === undefined ? undefined : currentOutage(fault);
    if (outage === 'hang') {
      this.#hanging.add(res);
      res.on('close', () => this.#hanging.delete(res));
      return;
    }
    if (outage === 'unavailable') {
      res.writeHead(503, { 'content-type': 'application/json', 'retry-after': '1' });
      res.end('{"error":"temporarily_unavailable"}');
      return;
    }
    this.#answer(res, body);
  }

  #answer(res: ServerResponse, body: unknown): void {
    res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' });
    res.end(JSON.stringify(body));
  }
}

/** The outage in force now, if any: a flapping group fails in its even periods. */
function currentOutage(fault: Exclude<GroupFault, { kind: 'slow' }>): EndpointOutage | undefined {
  if (fault.kind === 'outage') return fault.outage;
  return Math.floor((Date.now() - fault.since) / fault.periodMs) % 2 === 0 ? fault.outage : undefined;
}
