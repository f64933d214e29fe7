// The whole public surface of @valet/core, by name. Anything not listed here is internal.
export {
  AuthorizationServerUnavailableError,
  ForbiddenError,
  HeadersTooLargeError,
  InsufficientScopeError,
  InvalidDpopProofError,
  InvalidRequestError,
  InvalidTokenError,
  MissingTokenError,
  OptionsError,
  OriginNotAllowedError,
  PolicyConfigError,
  RateLimitedError,
  StateUnavailableError,
  TokenExchangeError,
  UseDpopNonceError,
  ValetError,
  isValetError,
} from './errors.js';
export type {
  BearerErrorCode,
  ChallengeParams,
  ChallengeScheme,
  DpopErrorCode,
  DpopProofReason,
  InvalidTokenReason,
  TokenExchangeReason,
  UnavailableReason,
  ValetErrorCode,
} from './errors.js';
export { createPrincipal } from './principal.js';
export type { Principal, PrincipalInit } from './principal.js';
export {
  allOf,
  and,
  anyOf,
  authenticated,
  check,
  not,
  or,
  publicAccess,
  rateLimited,
} from './policy/policy.js';
export type {
  AllOfPolicy,
  AndPolicy,
  AnyOfPolicy,
  AuthenticatedPolicy,
  AuthorizationContext,
  CheckFn,
  CheckPolicy,
  NotPolicy,
  OrPolicy,
  Policy,
  PublicPolicy,
  RateLimitPolicy,
} from './policy/policy.js';
export { describeRateLimit, parseRateLimit } from './policy/rate-limit.js';
export type { RateLimit } from './policy/rate-limit.js';
export type { TokenVerifier } from './verify/token-verifier.js';
export { ScopeCatalog, defineScopes } from './policy/scope-catalog.js';
export type { ScopeDefinition, ScopeInfo, ScopeOf } from './policy/scope-catalog.js';
export { describePolicy, policyScopes } from './policy/describe.js';
export { operationLabel } from './policy/compile/reasons.js';
export { PolicyRegistry } from './policy/registry.js';
export type {
  OperationDefinition,
  OperationKind,
  PolicyRegistryOptions,
  RegisteredOperation,
} from './policy/registry.js';
export { decisionError } from './policy/decision.js';
export type { Decision } from './policy/decision.js';
export { Authorizer } from './policy/authorizer.js';
export type { AuthorizerOptions } from './policy/authorizer.js';
export type { AuthorizeContext, AuthorizeOptions } from './policy/decider.js';
export { noopAuditSink } from './audit/audit-sink.js';
export type { AuditEvent, AuditSink } from './audit/audit-sink.js';
export { jsonLinesAuditSink } from './audit/json-lines-sink.js';
export type { JsonLinesTarget } from './audit/json-lines-sink.js';
export { memoryAuditSink } from './audit/memory-sink.js';
export type { MemoryAuditSink } from './audit/memory-sink.js';
export { audienceMatches } from './verify/audience.js';
export type { ScopeClaim, ScopeReader } from './verify/scope-claims.js';
export { discoverAuthorizationServer } from './verify/discovery.js';
export type { AuthorizationServerMetadata, DiscoveryOptions } from './verify/discovery.js';
export type { JwksOptions } from './verify/jwks.js';
export type { JwtVerifierOptions, StaticKey, StaticKeys } from './verify/jwt-verifier-options.js';
export { JwtVerifier } from './verify/jwt-verifier.js';
export { challengeFor, renderChallenge } from './http/challenge.js';
export { DPOP_ALGORITHMS } from './dpop/dpop-options.js';
export type { DpopMode, DpopNonceOptions, DpopOptions } from './dpop/dpop-options.js';
export type { ChallengeOptions } from './http/challenge.js';
export { errorResponse } from './http/error-response.js';
export type { ErrorBody, ErrorBodyCode, ErrorResponse } from './http/error-response.js';
export { extractBearerToken } from './http/bearer.js';
export type { ExtractBearerOptions } from './http/bearer.js';
export type { BearerRequest } from './http/bearer-request.js';
export { isLoopbackHost } from './http/loopback.js';
export { protectedResourceMetadata } from './http/resource-metadata.js';
export type {
  ProtectedResourceMetadata,
  ProtectedResourceMetadataOptions,
} from './http/resource-metadata.js';
export { protectedResourceMetadataUrl } from './http/resource-metadata-url.js';
export { MANIFEST_VERSION, stringifyManifest } from './manifest/manifest.js';
export type {
  Manifest,
  ManifestDownstream,
  ManifestOperation,
  ManifestPolicy,
  ManifestRateLimit,
  ManifestScope,
} from './manifest/manifest.js';
export { buildManifest } from './manifest/build-manifest.js';
export type { BuildManifestOptions } from './manifest/build-manifest.js';
export { renderManifestMarkdown } from './manifest/render-markdown.js';
export { renderManifestHtml } from './manifest/render-html.js';
export { CachingVerifier } from './verify/caching-verifier.js';
export type { CacheStats, CachingVerifierOptions } from './verify/caching-verifier.js';
export { IntrospectionVerifier } from './verify/introspection-verifier.js';
export type {
  IntrospectionClientAuth,
  IntrospectionVerifierOptions,
} from './verify/introspection-verifier.js';
export { MultiIssuerVerifier } from './verify/multi-issuer-verifier.js';
export type { IssuerRoute, MultiIssuerVerifierOptions } from './verify/multi-issuer-verifier.js';
export type { IdpPreset, PresetOverrides } from './idp/preset.js';
export { auth0 } from './idp/auth0.js';
export type { Auth0Options } from './idp/auth0.js';
export { okta } from './idp/okta.js';
export type { OktaOptions } from './idp/okta.js';
export { keycloak } from './idp/keycloak.js';
export type { KeycloakOptions } from './idp/keycloak.js';
export { entraId } from './idp/entra.js';
export type { EntraIdOptions } from './idp/entra.js';
export { cognito } from './idp/cognito.js';
export type { CognitoOptions } from './idp/cognito.js';
export { scalekit } from './idp/scalekit.js';
export type { ScalekitOptions } from './idp/scalekit.js';
export { workos } from './idp/workos.js';
export type { WorkosOptions } from './idp/workos.js';
export { oidc } from './idp/oidc.js';
export type { OidcOptions } from './idp/oidc.js';
export { createValet } from './valet.js';
export type { AdmitRequest, RequestedOperation, Valet, ValetOptions } from './valet.js';
export type {
  DownstreamNeed,
  ExchangeRequest,
  ExchangedToken,
  TokenExchanger,
} from './exchange/token-exchanger.js';
export type {
  AudienceParam,
  ExchangeClientAuth,
  ExchangeCommonOptions,
  TokenExchangerOptions,
} from './exchange/exchange-options.js';
export { tokenExchanger } from './exchange/rfc8693-exchanger.js';
export { entraOnBehalfOf } from './exchange/entra-on-behalf-of.js';
export type { EntraOnBehalfOfOptions } from './exchange/entra-on-behalf-of.js';
export { oktaTokenExchange } from './exchange/okta-token-exchange.js';
export type { OktaTokenExchangeOptions } from './exchange/okta-token-exchange.js';
export { keycloakTokenExchange } from './exchange/keycloak-token-exchange.js';
export type { KeycloakTokenExchangeOptions } from './exchange/keycloak-token-exchange.js';
export { memoryStateStore } from './state/state-store.js';
export type { CounterState, MemoryStateStoreOptions, StateStore } from './state/state-store.js';
export type { RevocationTarget, RevokeOptions } from './state/revocations.js';
export type { OperationDownstream } from './policy/compile/downstream-needs.js';
export type { OktaAuthorizationServer } from './idp/options/okta-issuer.js';
