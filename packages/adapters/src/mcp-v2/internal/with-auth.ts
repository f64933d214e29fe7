import type { Principal } from '@valet/core';
import type { AuthInfo } from '@modelcontextprotocol/server';
import type { NodeIncomingMessageLike } from '@modelcontextprotocol/node';
import type { IncomingMessage } from 'node:http';
import { authInfoOf } from '../../mcp/internal/auth-info.js';
import { passGrants } from '../../internal/downstream-grants.js';

/**
 * The request with the caller as `auth`, which the SDK's Node adapter hands the SDK as `authInfo`
 * (every bound handler's `ctx.http.authInfo`). Whatever an earlier middleware left there is
 * replaced, so an anonymous request reaches the handlers as anonymous.
 */
export function withAuth<R extends NodeIncomingMessageLike | IncomingMessage>(
  req: R,
  principal: Principal | null,
): R & { auth?: AuthInfo } {
  const authed = req as R & { auth?: AuthInfo };
  if (principal === null) delete authed.auth;
  else {
    authed.auth = authInfoOf(principal);
    passGrants(req, authed.auth);
  }
  return authed;
}
