import { declarationDecorator } from './internal/declaration-decorator.js';
import type { MemberDecorator } from './member-decorator.js';

/** Options of {@link Resource}. */
export interface ResourceOptions {
  /** The resource URI (or URI template), with a scheme: `config://app`, `file:///logs/{name}`. */
  readonly uri: string;
  /** The MCP resource name. Default: the method name in snake_case. */
  readonly name?: string;
  readonly title?: string;
  /** What the resource holds. Required. */
  readonly description: string;
  readonly mimeType?: string;
}

/**
 * Declares a method of a {@link Toolset} as an MCP resource. Its operation id in the policy
 * registry is `resource:<uri>` (`resource:config://app`), so it never collides with a tool name.
 *
 * @example
 * ```ts
 * @Resource({ uri: 'config://app', description: 'The app configuration', mimeType: 'application/json' })
 * @RequiresScope('config:read')
 * config() { ... }
 * ```
 */
export function Resource(options: ResourceOptions): MemberDecorator {
  return declarationDecorator({ kind: 'resource', written: '@Resource', options });
}
