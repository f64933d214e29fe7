export * from './valet-fastify.js';
export type { ControllerContainer, ControllersOptions } from './controllers.js';
export type { RouteContext } from './route-context.js';
