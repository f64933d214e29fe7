import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { MemoryAuditSink } from '../../src/audit/memory-sink.js';
import {
  InsufficientScopeError,
  InvalidTokenError,
  MissingTokenError,
  PolicyConfigError,
} from '../../src/errors.js';
import { allOf } from '../../src/policy/policy.js';
import { PolicyRegistry } from '../../src/policy/registry.js';
import type { JwtVerifier } from '../../src/verify/jwt-verifier.js';
import {
  METADATA_URL,
  RESOURCE,
  catalog,
  valetFixture,
  type ValetFixture,
} from '../support/valet-fixture.js';

let fixture: ValetFixture;
let issuer: ValetFixture['issuer'];
let verifier: JwtVerifier;
let valetWith: ValetFixture['valetWith'];

beforeAll(async () => {
  fixture = await valetFixture();
  ({ issuer, verifier, valetWith } = fixture);
});

afterAll(() => fixture.close());

describe('createValet: options are checked at start-up, naming the field', () => {
  it.each([
    ['registry', 'not a PolicyRegistry', () => valetWith({ registry: {} as PolicyRegistry })],
    ['verifier', 'neither verifier nor idp', () => valetWith({ verifier: undefined })],
    [
      'verifier',
      'no verify method',
      () => valetWith({ verifier: { verify: 'no' } as unknown as JwtVerifier }),
    ],
    [
      'verifier',
      'both verifier and idp',
      () => valetWith({ idp: { name: 'x', issuer: issuer.url, authorizationServer: issuer.url, verifier } }),
    ],
    ['authorizationServers', 'empty', () => valetWith({ authorizationServers: [] })],
    ['resource', 'not http(s)', () => valetWith({ resource: 'ftp://api.example.test/mcp' })],
    ['realm', 'a line break', () => valetWith({ realm: 'line\nbreak' })],
    ['challengeScopes', 'not scope tokens', () => valetWith({ challengeScopes: ['two words'] })],
    ['maxTokenBytes', 'zero', () => valetWith({ maxTokenBytes: 0 })],
    ['audit', 'no record method', () => valetWith({ audit: {} as MemoryAuditSink })],
  ])('%s: %s', (field, _why, build) => {
    expect(build).toThrow(expect.objectContaining({ name: 'OptionsError', field }));
  });

  it('takes the verifier and authorization server from an idp preset', () => {
    const valet = valetWith({
      verifier: undefined,
      authorizationServers: undefined,
      idp: { name: 'test', issuer: issuer.url, authorizationServer: issuer.url, verifier },
    });
    expect(valet.verifier).toBe(verifier);
    expect(valet.metadata().authorization_servers).toEqual([issuer.url]);
  });

  it('publishes the path-aware metadata URL and the paths to serve it at', () => {
    const valet = valetWith();
    expect(valet.metadataUrl.href).toBe(METADATA_URL);
    expect(valet.metadataPaths).toEqual([
      '/.well-known/oauth-protected-resource/mcp',
      '/.well-known/oauth-protected-resource',
    ]);
    expect(Object.isFrozen(valet)).toBe(true);
  });
});

const DPOP_ALGS = 'ES256 ES384 ES512 PS256 PS384 PS512 RS256 RS384 RS512 EdDSA';

describe('Valet.errorResponse', () => {
  it('renders a 401 with resource_metadata and the catalog basic scopes when the error names none', () => {
    const response = valetWith().errorResponse(new InvalidTokenError('expired', 'The token has expired.'));
    expect(response?.status).toBe(401);
    expect(response?.headers['www-authenticate']).toBe(
      `Bearer error="invalid_token", error_description="The token has expired.", scope="files:read", resource_metadata="${METADATA_URL}", ` +
        `DPoP scope="files:read", algs="${DPOP_ALGS}", resource_metadata="${METADATA_URL}"`,
    );
  });

  it('renders the Bearer challenge alone with dpop mode off', () => {
    const response = valetWith({ dpop: { mode: 'off' } }).errorResponse(
      new InvalidTokenError('expired', 'The token has expired.'),
    );
    expect(response?.headers['www-authenticate']).toBe(
      `Bearer error="invalid_token", error_description="The token has expired.", scope="files:read", resource_metadata="${METADATA_URL}"`,
    );
  });

  it('uses challengeScopes and realm when given', () => {
    const valet = valetWith({ challengeScopes: ['files:write'], realm: 'files' });
    expect(valet.errorResponse(new MissingTokenError())?.headers['www-authenticate']).toBe(
      `Bearer realm="files", scope="files:write", resource_metadata="${METADATA_URL}", ` +
        `DPoP realm="files", scope="files:write", algs="${DPOP_ALGS}", resource_metadata="${METADATA_URL}"`,
    );
  });

  it('keeps the scopes an error names (insufficient scope)', () => {
    const error = new InsufficientScopeError('Needs write.', { required: ['files:write'] });
    expect(valetWith().errorResponse(error)?.headers['www-authenticate']).toBe(
      `Bearer error="insufficient_scope", error_description="Needs write.", scope="files:write", resource_metadata="${METADATA_URL}"`,
    );
  });

  it('answers configuration errors with a 500 that says nothing about the configuration', () => {
    const response = valetWith().errorResponse(new PolicyConfigError('Secret layout of the policies.'));
    expect(response?.status).toBe(500);
    expect(response?.headers['www-authenticate']).toBeUndefined();
    expect(JSON.stringify(response?.body)).not.toContain('Secret');
  });

  it('returns undefined for an error that is not Valet’s', () => {
    expect(valetWith().errorResponse(new Error('boom'))).toBeUndefined();
    expect(valetWith().errorResponse('boom')).toBeUndefined();
  });
});

describe('Valet.metadata', () => {
  it('is built on first use, after operations registered late, and freezes the registry', () => {
    const registry = new PolicyRegistry();
    const valet = valetWith({ registry });
    registry.register({ id: 'GET /files', kind: 'route', policy: allOf('files:list') });
    expect(registry.frozen).toBe(false);
    const metadata = valet.metadata();
    expect(registry.frozen).toBe(true);
    expect(metadata).toMatchObject({
      resource: RESOURCE,
      authorization_servers: [issuer.url],
      scopes_supported: ['files:list'],
      bearer_methods_supported: ['header'],
    });
    expect(valet.metadata()).toBe(metadata);
  });

  it('freeze() validates every policy at once', () => {
    const registry = new PolicyRegistry({ catalog: catalog() });
    const valet = valetWith({ registry });
    registry.register({ id: 'w', kind: 'tool', policy: allOf('file:write') });
    expect(() => valet.freeze()).toThrow(/Did you mean "files:write"/);
  });
});
