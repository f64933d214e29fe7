import type { OperationKind } from '../operation-kind.js';
import type { Policy } from '../policy.js';
import { quotedList } from './english.js';

const KIND_WORDS: Readonly<Record<OperationKind, string>> = {
  tool: 'Tool',
  resource: 'Resource',
  prompt: 'Prompt',
  route: 'Route',
};

/**
 * How Valet's sentences name an operation, e.g. `Tool "write_file"`, `Route "GET /files"`: for an
 * adapter's own refusals to read like core's.
 */
export function operationLabel(kind: OperationKind, id: string): string {
  return `${KIND_WORDS[kind]} "${id}"`;
}

/** `tool "write_file"`: the label mid-sentence. */
export function lowerFirst(label: string): string {
  return label.charAt(0).toLowerCase() + label.slice(1);
}

/** What a policy asks for, as the object of "requires": `scope "a"`, `one of the scopes "a" or "b"`, or the policy in words. */
export function requirementPhrase(policy: Policy, described: string): string {
  if ((policy.kind === 'allOf' || policy.kind === 'anyOf') && policy.scopes.length === 1) {
    return `scope "${policy.scopes[0]}"`;
  }
  if (policy.kind === 'allOf' && policy.scopes.length > 1) return `scopes ${quotedList(policy.scopes)}`;
  if (policy.kind === 'anyOf' && policy.scopes.length > 1) {
    return `one of the scopes ${quotedList(policy.scopes, 'or')}`;
  }
  return described;
}

/** The granted scopes shown in a reason, in token order; past 8 the list says "and N more". */
export function grantedPhrase(granted: ReadonlySet<string>): string {
  return granted.size === 0 ? 'no scopes' : quotedList(granted, 'and', 8);
}

export function allowedReason(label: string, described: string): string {
  return `${label} is allowed (${described}).`;
}

export function anonymousReason(label: string, policy: Policy, phrase: string): string {
  return policy.kind === 'authenticated'
    ? `${label} requires a bearer token.`
    : `${label} requires a bearer token with ${phrase}.`;
}

export function scopeReason(
  label: string,
  policy: Policy,
  phrase: string,
  granted: ReadonlySet<string>,
  missing: readonly string[],
): string {
  const leaf = policy.kind === 'allOf' || policy.kind === 'anyOf';
  const suffix = leaf ? '' : `, missing ${quotedList(missing)}`;
  return `${label} requires ${phrase}; the token grants ${grantedPhrase(granted)}${suffix}.`;
}

export function unfixableReason(label: string, phrase: string, granted: ReadonlySet<string>): string {
  return `${label} requires ${phrase}; the token grants ${grantedPhrase(granted)}, and no additional scope would allow it.`;
}

export function checkRefusedReason(label: string, check: string): string {
  return `${label} was refused by check "${check}".`;
}

export function checkThrewReason(label: string, check: string): string {
  return `${label} was refused: check "${check}" failed with an error.`;
}

export function unknownOperationReason(operationId: string): string {
  return `No policy registered for operation "${operationId}" (default deny).`;
}
