import type { MemberDecorator } from './member-decorator.js';
import { memberRecordOf } from './internal/metadata.js';

/** Options of {@link Downstream}. */
export interface DownstreamOptions {
  /**
   * The scope at this server a client must ask for when the IdP refuses the exchange for want of
   * consent or scope: the tool call is answered 403 `insufficient_scope` naming it. Default: the
   * operation's own required scopes. Must be a scope of this server's catalog.
   */
  readonly stepUpScope?: string;
}

/**
 * Declares what the operation needs downstream: a token for `audience` (the API's https URL, or
 * its identifier such as `api://backup`) with `scopes`, obtained on the caller's behalf by token
 * exchange, never the caller's own token. On a `@Tool`, `@Resource`, `@Prompt` or a controller
 * route (`@Get`, `@Post`, ...), the handler's context then has `downstream`:
 * `ctx.downstream.token(audience?)` and `ctx.downstream.fetch(url, init?)`, which only reaches
 * the declared audiences' origins. Several are allowed on one method, one per audience; the
 * manifest lists them ("acts on the caller's behalf"). Checked at start-up: an audience that is
 * not an https URL (http only on loopback) or an identifier, no scope, an audience twice, an
 * unknown `stepUpScope`, and a binding without an `exchanger`.
 *
 * When the IdP refuses for want of consent or scope, an MCP call over HTTP or a route is answered
 * 403 with `WWW-Authenticate: Bearer error="insufficient_scope", scope="<stepUpScope>"` before the
 * handler runs; any other refusal is a tool error (a route: 502), and an unreachable IdP a 503.
 *
 * @example
 * ```ts
 * @Tool({ description: 'Back up a file' })
 * @RequiresScope('files:read')
 * @Downstream('https://backup.example.com', ['backup:write'], { stepUpScope: 'files:backup' })
 * async backup(input: BackupInput, ctx: ToolContext) {
 *   await ctx.downstream!.fetch('https://backup.example.com/v1/blobs', { method: 'PUT', body: ... });
 * }
 * ```
 */
export function Downstream(
  audience: string,
  scopes: readonly string[],
  options?: DownstreamOptions,
): MemberDecorator {
  const written = `@Downstream(${JSON.stringify(audience) ?? String(audience)})`;
  return (target, propertyKey) => {
    // Decorators run bottom-up; prepending keeps them in the order they are written.
    memberRecordOf(target, propertyKey).downstream.unshift({ written, audience, scopes, options });
  };
}
