export * from './errors.js';
export * from './principal.js';
export * from './policy/policy.js';
export type { TokenVerifier } from './verify/token-verifier.js';
