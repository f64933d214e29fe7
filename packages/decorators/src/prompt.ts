import { declarationDecorator } from './internal/declaration-decorator.js';
import type { MemberDecorator } from './member-decorator.js';

/** One argument of an MCP prompt. */
export interface PromptArgument {
  readonly name: string;
  readonly description?: string;
  readonly required?: boolean;
}

/** Options of {@link Prompt}. */
export interface PromptOptions {
  /** The MCP prompt name; the same rules as tool names. Default: the method name in snake_case. */
  readonly name?: string;
  readonly title?: string;
  /** What the prompt is for. Required. */
  readonly description: string;
  readonly arguments?: readonly PromptArgument[];
}

/**
 * Declares a method of a {@link Toolset} as an MCP prompt. Its operation id in the policy
 * registry is `prompt:<name>` (`prompt:summarize_file`), so it never collides with a tool name.
 *
 * @example
 * ```ts
 * @Prompt({ description: 'Summarize a file', arguments: [{ name: 'path', required: true }] })
 * @RequiresScope('files:read')
 * summarizeFile(args: { path: string }) { ... }
 * ```
 */
export function Prompt(options: PromptOptions): MemberDecorator {
  return declarationDecorator({ kind: 'prompt', written: '@Prompt', options });
}
