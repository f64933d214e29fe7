export { Toolset } from './toolset.js';
export type { ToolsetDecorator } from './toolset.js';
export { Tool } from './tool.js';
export type { ToolAnnotations, ToolOptions } from './tool.js';
export { Resource } from './resource.js';
export type { ResourceOptions } from './resource.js';
export { Prompt } from './prompt.js';
export type { PromptArgument, PromptOptions } from './prompt.js';
export type { MemberDecorator } from './member-decorator.js';
export type { PolicyDecorator } from './policy-decorator.js';
export { RequiresAnyScope, RequiresScope } from './requires-scope.js';
export { Public } from './public.js';
export { Requires } from './requires.js';
export { RateLimit } from './rate-limit.js';
export { Downstream } from './downstream.js';
export type { DownstreamOptions } from './downstream.js';
export { createDecorators } from './create-decorators.js';
export type { TypedScopeDecorators } from './create-decorators.js';
export type { InputClass } from './input-class.js';
export { inputSchema } from './input-schema.js';
export type { InputSchema, JsonSchema } from './input-schema.js';
export { InputValidationError } from './input-validation-error.js';
export type { InputViolation } from './input-validation-error.js';
export { validateInput } from './validate-input.js';
export type {
  DownstreamDeclaration,
  OperationDeclaration,
  OperationDeclarationBase,
  PromptDeclaration,
  ResourceDeclaration,
  ToolDeclaration,
  ToolsetClass,
  ToolsetDefinition,
} from './toolset-definition.js';
export type { CollectOptions } from './collect-options.js';
export { collectToolsets } from './collect-toolsets.js';
export { registerToolsets } from './register-toolsets.js';
export { ValetTypes } from './valet-types.js';
export { valetContainerModule } from './valet-container-module.js';
export type { ValetContainerOptions } from './valet-container-module.js';
export { resolveToolset } from './resolve-toolset.js';
export { isToolset } from './is-toolset.js';
export { Controller } from './controller.js';
export type { ControllerDecorator } from './controller.js';
export type { HttpMethod } from './http-method.js';
export { Delete, Get, Patch, Post, Put } from './route.js';
export type { RouteOptions } from './route.js';
export type { ControllerClass, ControllerDefinition, RouteDeclaration } from './controller-definition.js';
export { collectControllers } from './collect-controllers.js';
export { resolveController } from './resolve-controller.js';
