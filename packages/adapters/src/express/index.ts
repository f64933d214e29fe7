export * from './valet-express.js';
export type {
  ProtectedRoute,
  ProtectedRoutes,
  ProtectedRoutesOptions,
  RouteGuard,
  RouteMethod,
} from './protected-routes.js';
