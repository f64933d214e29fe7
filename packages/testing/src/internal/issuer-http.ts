import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { EndpointOutage } from '../test-issuer-types.js';

/** How an endpoint fails while stopped: `503 Service Unavailable`, or never answering. */

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
  readonly #outages = new Map<string, EndpointOutage>();
  readonly #hanging = new Set<ServerResponse>();
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
    this.#outages.set(group, outage);
  }

  /** Ends the outage of `group`; requests left hanging are cut off. */
  start(group: string): void {
    this.#outages.delete(group);
    this.#releaseHanging();
  }

  async close(): Promise<void> {
    this.#releaseHanging();
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
    const outage = this.#outages.get(route.group);
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
    res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' });
    res.end(JSON.stringify(body));
  }
}
