import type { IncomingMessage, ServerResponse } from 'node:http';
import { OptionsError, type Principal } from '@valet/core';
import { assertValet } from '../../internal/assert-valet.js';
import { metadataReplies } from '../../internal/metadata-response.js';
import { admitRequest, type AdmitFields } from '../../internal/node-request.js';
import { send, sendRefusal } from '../../internal/send.js';
import type { McpEndpointOptions } from '../endpoint-options.js';
import { sendJsonRpcError } from './http-replies.js';
import { positiveInteger } from './positive-integer.js';
import { readRequestBody, type RequestBody } from './request-body.js';
import {
  admissionGrant,
  exchangerOption,
  heldGrant,
  holdGrants,
  requireExchanger,
  type Grant,
} from '../../internal/downstream-grants.js';

/** What a request's admission resolves to once its refusal was sent. */
export const REFUSED = Symbol('refused');

/** The options every MCP endpoint takes, with its SDK's server factory (checked here to be a function). */
export type EndpointOptions = McpEndpointOptions & { readonly server: unknown };

/** An MCP endpoint's validated set-up and its steps: admit a request, read its body, serve the path. */
export interface Endpoint {
  readonly path: string;
  readonly maxBodyBytes: number;
  /** The one `valet.admit` of a request: the caller, or {@link REFUSED} once the refusal was sent. */
  admit(
    req: IncomingMessage,
    res: ServerResponse,
    fields: AdmitFields,
  ): Promise<Principal | null | typeof REFUSED>;
  /**
   * The request's body (size-limited); {@link REFUSED} once answered: a body too large is refused
   * on the headers alone, after the flow has seen them (a 413 tells nothing to a stranger).
   */
  body(
    req: IncomingMessage,
    res: ServerResponse,
  ): Promise<Exclude<RequestBody, { kind: 'too-large' }> | typeof REFUSED>;
  /**
   * The Node handler: RFC 9728 metadata at `valet.metadataPaths`, `serve` on the path, `next()`
   * (or 404) elsewhere; an unexpected error goes to `onError` and the client gets a bare 500.
   */
  handler(
    serve: (req: IncomingMessage, res: ServerResponse) => Promise<void>,
  ): (req: IncomingMessage, res: ServerResponse, next?: (error?: unknown) => void) => Promise<void>;
}

/** Validates the options every MCP endpoint shares (`who` names the caller in messages) and builds its steps. */
export function mcpEndpoint(options: EndpointOptions, who: string): Endpoint {
  const { valet } = options;
  assertValet(valet, who);
  if (typeof options.server !== 'function') {
    throw new OptionsError(
      'server',
      'server must be a function that returns an McpServer with the toolsets bound.',
    );
  }
  const path = options.path ?? new URL(valet.resource).pathname;
  if (typeof path !== 'string' || !path.startsWith('/')) {
    throw new OptionsError('path', 'path must start with "/", like "/mcp".');
  }
  const maxBodyBytes = positiveInteger(options.maxBodyBytes, 1024 * 1024, 'maxBodyBytes');
  const optional = options.allowAnonymous === true;
  const metadataPaths = new Set(valet.metadataPaths);
  const metadata = metadataReplies(valet);
  const exchanger = exchangerOption(options.exchanger);
  const delegating = valet.registry.operations().find((op) => (op.downstream?.length ?? 0) > 0);
  requireExchanger(delegating, exchanger, who);

  /**
   * The exchanges of the admitted calls that act downstream, before the SDK runs, once per call
   * however often the request is admitted ({@link admissionGrant}: a consent refusal is a 403
   * step-up, an unreachable IdP a 503); any other refusal is kept, for the handler to answer
   * with a tool error.
   */
  const exchangeFor = async (
    req: IncomingMessage,
    principal: Principal | null,
    fields: AdmitFields,
  ): Promise<void> => {
    const grants = new Map<string, Grant>();
    for (const { id } of fields.operations ?? []) {
      const op = valet.registry.get(id);
      if (op?.downstream === undefined || grants.has(id) || heldGrant(req, id) !== undefined) continue;
      grants.set(id, await admissionGrant(valet, exchanger, principal, op));
    }
    if (grants.size > 0) holdGrants(req, grants);
  };

  const admit: Endpoint['admit'] = (req, res, fields) => {
    let admitted: Promise<Principal | null>;
    try {
      admitted = valet.admit(
        admitRequest(req, fields.body, {
          optional: fields.optional ?? optional,
          operations: fields.operations,
        }),
      );
    } catch (error) {
      // admitRequest refuses a request whose header lines Node may have dropped (431).
      admitted = Promise.reject(error);
    }
    return admitted
      .then(async (principal) => {
        await exchangeFor(req, principal, fields);
        return principal;
      })
      .catch((error: unknown) => {
        const refusal = valet.errorResponse(error);
        if (refusal === undefined) throw error;
        sendRefusal(res, refusal);
        return REFUSED;
      });
  };

  return {
    path,
    maxBodyBytes,
    admit,
    async body(req, res) {
      const body = await readRequestBody(req, maxBodyBytes);
      if (body.kind !== 'too-large') return body;
      // The rest of the body stays unread: the connection cannot be reused either way.
      res.setHeader('connection', 'close');
      if ((await admit(req, res, {})) !== REFUSED) {
        const message = `Payload Too Large: the body must not exceed ${maxBodyBytes} bytes.`;
        sendJsonRpcError(res, 413, -32000, message);
      }
      return REFUSED;
    },
    handler: (serve) => async (req, res, next) => {
      try {
        const target = (req as { originalUrl?: string }).originalUrl ?? req.url ?? '/';
        const pathname = target.split('?', 1)[0]!;
        if (metadataPaths.has(pathname)) {
          const reply = metadata(req.method);
          send(res, reply.status, reply.headers, reply.body);
        } else if (pathname === path) await serve(req, res);
        else if (next !== undefined) next();
        else sendJsonRpcError(res, 404, -32000, `Not found: the MCP endpoint is ${path}.`);
      } catch (error) {
        options.onError?.(error);
        if (!res.headersSent) sendJsonRpcError(res, 500, -32603, 'Internal error.');
        else res.destroy();
      }
    },
  };
}
