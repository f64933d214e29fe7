import type { DownstreamNeed } from '../../exchange/token-exchanger.js';
import { isLoopbackHost } from '../../http/loopback.js';
import { SCOPE_TOKEN_RULE, isScopeToken } from '../../http/syntax/scope-token.js';
import type { ScopeCatalog } from '../scope-catalog.js';

/** A {@link DownstreamNeed} of a registered operation, as `@Downstream` declares it. */
export interface OperationDownstream extends DownstreamNeed {
  /**
   * The scope at this server a client must ask for when the IdP refuses the exchange for want of
   * consent or scope. Default: the operation's own required scopes.
   */
  readonly stepUpScope?: string;
}

/**
 * What is wrong with an operation's downstream needs, one sentence each: an audience that is not
 * an https URL (http only on loopback) or an identifier, scopes that are not scope tokens, an
 * audience declared twice, a step-up scope that is not a scope (or, with a catalog, not declared).
 */
export function downstreamProblems(
  needs: readonly OperationDownstream[] | undefined,
  catalog: ScopeCatalog | undefined,
): string[] {
  if (needs === undefined) return [];
  if (!Array.isArray(needs)) return ['downstream must be a list of { audience, scopes }.'];
  const problems: string[] = [];
  const seen = new Set<string>();
  for (const need of needs as readonly unknown[]) {
    const { audience, scopes, stepUpScope } = (need ?? {}) as Partial<OperationDownstream>;
    const written = `@Downstream(${JSON.stringify(audience) ?? String(audience)})`;
    const audienceProblem = audienceRule(audience);
    if (audienceProblem !== undefined) problems.push(`${written}: ${audienceProblem}`);
    else if (seen.has(audience!)) {
      problems.push(`${written} is declared twice; declare each audience once, with all its scopes.`);
    } else seen.add(audience!);
    if (!Array.isArray(scopes) || scopes.length === 0) {
      problems.push(`${written}: name at least one downstream scope.`);
    } else {
      const bad = scopes.find((scope) => !isScopeToken(scope));
      if (bad !== undefined)
        problems.push(`${written}: "${String(bad)}" is not a valid scope. ${SCOPE_TOKEN_RULE}`);
      if (new Set(scopes).size !== scopes.length) problems.push(`${written}: a scope is named twice.`);
    }
    if (stepUpScope === undefined) continue;
    if (!isScopeToken(stepUpScope)) {
      problems.push(
        `${written}: stepUpScope "${String(stepUpScope)}" is not a valid scope. ${SCOPE_TOKEN_RULE}`,
      );
    } else if (catalog !== undefined && !catalog.has(stepUpScope)) {
      problems.push(
        `${written}: stepUpScope "${stepUpScope}" is not a scope of this server; declare it in the scope catalog.`,
      );
    }
  }
  return problems;
}

/** Why `audience` is not a downstream audience, or undefined when it is one. */
function audienceRule(audience: unknown): string | undefined {
  if (typeof audience !== 'string' || audience === '' || !/^[\x21-\x7e]+$/.test(audience)) {
    return "the audience must be the API's URL or identifier, a non-empty string without spaces.";
  }
  if (!/^https?:/i.test(audience)) return undefined;
  const url = URL.canParse(audience) ? new URL(audience) : undefined;
  if (url === undefined || url.hash !== '' || url.username !== '' || url.password !== '') {
    return 'the audience URL must be absolute, without credentials or a fragment.';
  }
  if (url.protocol === 'http:' && !isLoopbackHost(url.hostname)) {
    return 'the audience must use https (http only on loopback): the exchanged token travels to it.';
  }
  return undefined;
}
