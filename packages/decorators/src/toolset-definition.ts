import type { Policy } from '@valet/core';
import type { InputClass } from './input-class.js';
import type { InputSchema } from './input-schema.js';
import type { PromptArgument } from './prompt.js';
import type { ToolAnnotations } from './tool.js';

/** A class marked `@Toolset()`. */
export type ToolsetClass<T extends object = object> = new (...args: never[]) => T;

/** One `@Downstream` of an operation, its shape checked (the registry checks the rest at `freeze()`). */
export interface DownstreamDeclaration {
  /** The downstream API's URL or identifier. */
  readonly audience: string;
  /** The scopes asked for there. */
  readonly scopes: readonly string[];
  /** The scope at this server to ask for when the IdP refuses for want of consent or scope. */
  readonly stepUpScope?: string;
}

/** What every collected operation has, whatever its kind. */
export interface OperationDeclarationBase {
  /**
   * The operation id in the policy registry: the tool name, `resource:<uri>` or
   * `prompt:<name>`.
   */
  readonly id: string;
  /** The MCP name (for a resource, its `name`, not its URI). */
  readonly name: string;
  readonly title: string | undefined;
  readonly description: string;
  /** Class and member requirements AND-ed, base classes first; `publicAccess()` when public. */
  readonly policy: Policy;
  /** The method to call on the toolset instance. */
  readonly method: string;
  /** `FileTools.writeFile`: where it was declared, for messages. */
  readonly source: string;
  /** The toolset class it was collected from (a subclass, for inherited operations). */
  readonly toolset: ToolsetClass;
  /** Its `@Downstream` declarations (empty when it calls no API on the caller's behalf), base class first. */
  readonly downstream: readonly DownstreamDeclaration[];
}

/** A `@Tool` method. */
export interface ToolDeclaration extends OperationDeclarationBase {
  readonly kind: 'tool';
  readonly annotations: ToolAnnotations | undefined;
  /** The input DTO class; undefined for a tool without parameters. */
  readonly input: InputClass | undefined;
  /** The JSON Schema of the input (an empty object schema when there is no input). */
  readonly inputSchema: InputSchema;
}

/** A `@Resource` method. */
export interface ResourceDeclaration extends OperationDeclarationBase {
  readonly kind: 'resource';
  readonly uri: string;
  readonly mimeType: string | undefined;
}

/** A `@Prompt` method. */
export interface PromptDeclaration extends OperationDeclarationBase {
  readonly kind: 'prompt';
  readonly arguments: readonly PromptArgument[];
}

/** An operation collected from a toolset. */
export type OperationDeclaration = ToolDeclaration | ResourceDeclaration | PromptDeclaration;

/** A toolset class and its operations (inherited ones included), as `collectToolsets` returns it. */
export interface ToolsetDefinition {
  readonly target: ToolsetClass;
  /** The class name. */
  readonly name: string;
  /** In declaration order, base classes' operations first. */
  readonly operations: readonly OperationDeclaration[];
}
