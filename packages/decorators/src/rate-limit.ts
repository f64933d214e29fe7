import { requirementDecorator } from './internal/requirement-decorator.js';
import type { PolicyDecorator } from './policy-decorator.js';

/**
 * Limits how often each caller may perform the operation: `spec` is `<count>/<window>`
 * (`'60/m'`, `'100/30s'`, `'1000/1h'`, `'10/60'` for 60 seconds), the same as wrapping the
 * member's policy in `rateLimited(policy, spec)` from `@valet/core`. Counted per operation and per
 * caller (issuer, subject and client) in the Valet's store; past the limit the request flow
 * answers 429 with `Retry-After` (on MCP, before the SDK runs). Anonymous callers of a public
 * operation are not limited; when the store fails, calls go through (rate limits fail open).
 *
 * On a class it limits each of its operations separately. One limit per operation: a second
 * (on the member and its class, or stacked) is refused at start-up, as is a bad `spec`.
 *
 * @example
 * ```ts
 * @Tool({ description: 'Search the files' })
 * @RequiresScope('files:read')
 * @RateLimit('60/m')
 * search(input: SearchInput) { ... }
 * ```
 */
export function RateLimit(spec: string): PolicyDecorator {
  return requirementDecorator({
    kind: 'rateLimit',
    spec,
    written: `@RateLimit(${typeof spec === 'string' ? JSON.stringify(spec) : String(spec)})`,
  });
}
