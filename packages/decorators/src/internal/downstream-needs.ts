import type { DownstreamDeclaration } from '../toolset-definition.js';
import type { PlacedDownstream } from './declared-member.js';

/**
 * The `@Downstream` declarations of a member, base class first. A scope list that is not a list
 * of strings, or options that are not `{ stepUpScope? }`, go into `problems`; the audience's form,
 * duplicates and the step-up scope are checked by the registry, which names the method too.
 */
export function downstreamNeeds(
  placed: readonly PlacedDownstream[],
  problems: Set<string>,
): readonly DownstreamDeclaration[] {
  const needs: DownstreamDeclaration[] = [];
  for (const { record, where } of placed) {
    const at = `${record.written} on ${where}`;
    const { audience, scopes, options } = record;
    if (!Array.isArray(scopes) || scopes.some((scope) => typeof scope !== 'string')) {
      problems.add(`${at}: the scopes must be a list of strings, like ['backup:write'].`);
      continue;
    }
    const step = (options ?? {}) as { stepUpScope?: unknown };
    if (
      typeof step !== 'object' ||
      (step.stepUpScope !== undefined && typeof step.stepUpScope !== 'string')
    ) {
      problems.add(`${at}: the options must be { stepUpScope?: string }.`);
      continue;
    }
    needs.push(
      Object.freeze({
        audience: audience as string,
        scopes: Object.freeze([...(scopes as string[])]),
        ...(step.stepUpScope === undefined ? {} : { stepUpScope: step.stepUpScope }),
      }),
    );
  }
  return Object.freeze(needs);
}
