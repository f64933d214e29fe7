export { valetFastify } from './valet-fastify.js';
export type { RouteGuard, ValetFastify, ValetFastifyOptions } from './valet-fastify.js';
export type { ControllerContainer, ControllersOptions } from './controllers.js';
export type { RouteContext } from './route-context.js';
export type { DownstreamContext } from '../internal/downstream-context.js';
