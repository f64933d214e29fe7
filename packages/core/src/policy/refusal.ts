import { InsufficientScopeError, MissingTokenError, type ValetError } from '../errors.js';
import { decisionError, type Decision } from './decision.js';

/**
 * One error for the refused decisions of a request (one or more): a single challenge carrying
 * the union of the scopes they need, so a client steps up once (MCP SEP-2350). A refusal that
 * scopes cannot fix wins, since asking for scopes would not help.
 */
export function refusalOf(refused: readonly Decision[]): ValetError {
  if (refused.length === 1) return decisionError(refused[0]!)!;
  const errors = refused.map((decision) => decisionError(decision)!);
  const reason = refused.map((decision) => decision.reason).join(' ');
  const required = union(refused.map((decision) => decision.required));
  if (errors.every((error) => error instanceof MissingTokenError))
    return new MissingTokenError(reason, required);
  if (errors.every((error) => error instanceof InsufficientScopeError)) {
    return new InsufficientScopeError(reason, {
      required,
      missing: union(refused.map((decision) => decision.missing)),
    });
  }
  return errors.find((error) => !(error instanceof InsufficientScopeError))!;
}

function union(lists: readonly (readonly string[])[]): string[] {
  return [...new Set(lists.flat())];
}
