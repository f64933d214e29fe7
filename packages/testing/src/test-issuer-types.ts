/** The algorithms a test issuer can sign with. */
export type TestIssuerAlgorithm =
  'RS256' | 'RS384' | 'RS512' | 'PS256' | 'PS384' | 'PS512' | 'ES256' | 'ES384' | 'ES512' | 'EdDSA';

/** How a stopped endpoint fails: `'unavailable'` answers 503; `'hang'` never answers (test timeouts). */
export type EndpointOutage = 'unavailable' | 'hang';
