export { valetExpress } from './valet-express.js';
export type { AuthenticateOptions, ValetExpress, ValetExpressOptions } from './valet-express.js';
export type {
  ProtectedRoute,
  ProtectedRoutes,
  ProtectedRoutesOptions,
  RouteGuard,
  RouteMethod,
} from './protected-routes.js';
export type { ControllerContainer, ControllersOptions } from './controllers.js';
export type { RouteContext } from './route-context.js';
export type { DownstreamContext } from '../internal/downstream-context.js';
