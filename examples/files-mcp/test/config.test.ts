import { describe, expect, it } from '@jest/globals';
import { OptionsError } from '@valet/core';
import { loadConfig, type Environment, type IssuerAuth } from '../src/config.js';

function refusal(env: Environment): OptionsError {
  try {
    loadConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(OptionsError);
    return error as OptionsError;
  }
  throw new Error('loadConfig accepted the configuration');
}

function issuerAuth(env: Environment): IssuerAuth {
  const auth = loadConfig(env).auth;
  expect(auth.mode).toBe('issuer');
  return auth as IssuerAuth;
}

const AUTH0 = {
  VALET_ISSUER: 'https://example.us.auth0.com/',
  VALET_AUDIENCE: 'https://files.example.com/mcp',
};

describe('loadConfig: development mode', () => {
  it('with nothing set, uses the embedded development authorization server on 127.0.0.1:3000/mcp', () => {
    expect(loadConfig({})).toEqual({
      resource: 'http://127.0.0.1:3000/mcp',
      listen: { host: '127.0.0.1', port: 3000, path: '/mcp' },
      filesRoot: undefined,
      auth: { mode: 'development' },
      allowedOrigins: undefined,
      mcpSdk: 'v1',
      redisUrl: undefined,
      rateLimit: undefined,
      dpop: 'allowed',
      backup: undefined,
      introspection: undefined,
    });
  });

  it('takes PORT, FILES_ROOT and a loopback VALET_AUDIENCE, treating empty variables as unset', () => {
    expect(loadConfig({ PORT: '4000', FILES_ROOT: '/srv/files', VALET_ISSUER: '' })).toMatchObject({
      resource: 'http://127.0.0.1:4000/mcp',
      listen: { port: 4000, path: '/mcp' },
      filesRoot: '/srv/files',
    });
    expect(loadConfig({ VALET_AUDIENCE: 'http://localhost:5000/tools/mcp' })).toMatchObject({
      resource: 'http://localhost:5000/tools/mcp',
      listen: { host: '127.0.0.1', port: 5000, path: '/tools/mcp' },
    });
  });

  it('refuses issuer settings without an issuer', () => {
    for (const name of ['VALET_IDP', 'VALET_JWKS_URI', 'VALET_TOKEN_AUDIENCE', 'VALET_CLIENT_ID']) {
      const error = refusal({ [name]: 'x' });
      expect(error.field).toBe(name);
      expect(error.message).toContain('set VALET_ISSUER');
    }
  });

  it('stays on loopback: refuses a public audience or HOST', () => {
    expect(refusal({ VALET_AUDIENCE: 'https://files.example.com/mcp' }).field).toBe('VALET_AUDIENCE');
    const host = refusal({ HOST: '0.0.0.0' });
    expect(host.field).toBe('HOST');
    expect(host.message).toContain('embedded development authorization server');
  });
});

describe('loadConfig: an issuer', () => {
  it('reads the issuer, audience and keys, and listens on the audience path and port', () => {
    const config = loadConfig({
      VALET_ISSUER: 'https://auth.example.com',
      VALET_AUDIENCE: 'https://files.example.com:8443/v1/mcp',
      VALET_JWKS_URI: 'https://auth.example.com/keys',
      HOST: '0.0.0.0',
    });
    expect(config).toEqual({
      resource: 'https://files.example.com:8443/v1/mcp',
      listen: { host: '0.0.0.0', port: 8443, path: '/v1/mcp' },
      filesRoot: undefined,
      auth: {
        mode: 'issuer',
        issuer: 'https://auth.example.com',
        preset: { idp: 'oidc', issuer: 'https://auth.example.com' },
        tokenAudience: ['https://files.example.com:8443/v1/mcp'],
        jwksUri: 'https://auth.example.com/keys',
        clientIds: [],
      },
      allowedOrigins: undefined,
      mcpSdk: 'v1',
      redisUrl: undefined,
      rateLimit: undefined,
      dpop: 'allowed',
    });
  });

  it('lets PORT differ from a public audience (behind a proxy), defaulting to 3000', () => {
    expect(loadConfig({ ...AUTH0, VALET_IDP: 'auth0', PORT: '8080' }).listen.port).toBe(8080);
    expect(loadConfig({ ...AUTH0, VALET_IDP: 'auth0' }).listen.port).toBe(3000);
  });

  it('requires VALET_AUDIENCE', () => {
    const error = refusal({ VALET_ISSUER: 'https://auth.example.com' });
    expect(error.field).toBe('VALET_AUDIENCE');
    expect(error.message).toContain('required with VALET_ISSUER');
  });

  it('accepts plain http only on loopback addresses', () => {
    for (const issuer of ['http://127.0.0.1:8080', 'http://localhost:8080/realms/dev', 'http://[::1]:9000']) {
      expect(issuerAuth({ VALET_ISSUER: issuer, VALET_AUDIENCE: 'http://127.0.0.1:3000/mcp' }).issuer).toBe(
        issuer,
      );
    }
    for (const [name, value] of [
      ['VALET_ISSUER', 'http://auth.example.com'],
      ['VALET_ISSUER', 'http://10.0.0.5'],
      ['VALET_JWKS_URI', 'http://auth.example.com/jwks'],
      ['VALET_AUDIENCE', 'http://files.example.com/mcp'],
    ] as const) {
      const error = refusal({ ...AUTH0, [name]: value });
      expect(error.field).toBe(name);
      expect(error.message).toContain('plain http is accepted only on a loopback address');
    }
  });

  it('names the variable of a malformed URL, without repeating its value', () => {
    const error = refusal({ ...AUTH0, VALET_ISSUER: 'https://user:secret@auth.example.com' });
    expect(error.field).toBe('VALET_ISSUER');
    expect(error.message).not.toContain('secret');
    expect(refusal({ ...AUTH0, VALET_AUDIENCE: 'files.example.com/mcp' }).field).toBe('VALET_AUDIENCE');
    expect(refusal({ ...AUTH0, VALET_AUDIENCE: 'https://files.example.com/mcp?x=1' }).field).toBe(
      'VALET_AUDIENCE',
    );
  });

  it('checks PORT, HOST and FILES_ROOT', () => {
    for (const port of ['0', '65536', '3000abc', '-1', '1e3'])
      expect(refusal({ PORT: port }).field).toBe('PORT');
    expect(refusal({ VALET_AUDIENCE: 'http://127.0.0.1:3000/mcp', PORT: '4000' }).message).toContain(
      'names port 3000',
    );
    expect(refusal({ HOST: 'bad host' }).field).toBe('HOST');
    expect(refusal({ FILES_ROOT: 'relative/files' }).field).toBe('FILES_ROOT');
  });
});

describe('loadConfig: VALET_IDP presets', () => {
  it('reads each preset’s settings off the issuer', () => {
    const cases: [string, string, object][] = [
      ['auth0', 'https://example.us.auth0.com/', { domain: 'example.us.auth0.com' }],
      ['okta', 'https://dev-1.okta.com/oauth2/default', { issuer: 'https://dev-1.okta.com/oauth2/default' }],
      [
        'keycloak',
        'https://sso.example.com/auth/realms/acme',
        { url: 'https://sso.example.com/auth', realm: 'acme' },
      ],
      [
        'entra',
        'https://login.microsoftonline.com/72f988bf-86f1-41af-91ab-2d7cd011db47/v2.0',
        { tenantId: '72f988bf-86f1-41af-91ab-2d7cd011db47', version: 2 },
      ],
      [
        'entra',
        'https://sts.windows.net/72f988bf-86f1-41af-91ab-2d7cd011db47/',
        { tenantId: '72f988bf-86f1-41af-91ab-2d7cd011db47', version: 1 },
      ],
      ['scalekit', 'https://acme.scalekit.dev', { environmentUrl: 'https://acme.scalekit.dev' }],
      [
        'scalekit',
        'https://acme.scalekit.dev/resources/res_123',
        { environmentUrl: 'https://acme.scalekit.dev', resourceId: 'res_123' },
      ],
      ['workos', 'https://acme.authkit.app', { authkitDomain: 'acme.authkit.app' }],
      ['workos', 'https://api.workos.com/user_management/client_01H', { clientId: 'client_01H' }],
    ];
    for (const [idp, issuer, settings] of cases) {
      const auth = issuerAuth({ ...AUTH0, VALET_ISSUER: issuer, VALET_IDP: idp });
      expect(auth.preset).toEqual({ idp, ...settings });
    }
  });

  it('refuses an issuer of the wrong shape for the preset, with an example of the right one', () => {
    for (const [idp, issuer] of [
      ['auth0', 'https://example.us.auth0.com/api'],
      ['okta', 'https://dev-1.okta.com'],
      ['keycloak', 'https://sso.example.com'],
      ['entra', 'https://login.microsoftonline.com/common/v2.0'],
      ['cognito', 'https://cognito-idp.us-east-1.amazonaws.com'],
      ['workos', 'https://api.workos.com/'],
      ['auth0', 'http://localhost:8080/'],
    ]) {
      const error = refusal({
        ...AUTH0,
        VALET_ISSUER: issuer,
        VALET_IDP: idp,
        VALET_CLIENT_ID: idp === 'cognito' ? 'c' : '',
      });
      expect(error.field).toBe('VALET_ISSUER');
      expect(error.message).toMatch(new RegExp(`VALET_IDP=${idp}.*https://`));
    }
  });

  it('refuses an unknown preset, listing the known ones', () => {
    const error = refusal({ ...AUTH0, VALET_IDP: 'auth-zero' });
    expect(error.field).toBe('VALET_IDP');
    expect(error.message).toBe(
      'VALET_IDP must be one of oidc, auth0, okta, keycloak, entra, cognito, scalekit, workos.',
    );
  });

  it('takes a separate token audience (Entra, Scalekit), as a comma-separated list', () => {
    const auth = issuerAuth({
      ...AUTH0,
      VALET_ISSUER: 'https://login.microsoftonline.com/72f988bf-86f1-41af-91ab-2d7cd011db47/v2.0',
      VALET_IDP: 'entra',
      VALET_TOKEN_AUDIENCE: 'api://files, c0ffee00-0000-4000-8000-000000000001',
    });
    expect(auth.tokenAudience).toEqual(['api://files', 'c0ffee00-0000-4000-8000-000000000001']);
  });

  it('pins Cognito to app clients instead of an audience', () => {
    const cognito = {
      ...AUTH0,
      VALET_IDP: 'cognito',
      VALET_ISSUER: 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_Abc123',
    };
    expect(issuerAuth({ ...cognito, VALET_CLIENT_ID: 'one,two' })).toMatchObject({
      preset: { idp: 'cognito', region: 'eu-west-1', userPoolId: 'eu-west-1_Abc123' },
      tokenAudience: [],
      clientIds: ['one', 'two'],
    });
    expect(refusal(cognito).field).toBe('VALET_CLIENT_ID');
    expect(refusal({ ...cognito, VALET_CLIENT_ID: 'one', VALET_TOKEN_AUDIENCE: 'x' }).field).toBe(
      'VALET_TOKEN_AUDIENCE',
    );
    expect(refusal({ ...AUTH0, VALET_CLIENT_ID: 'one' }).message).toBe(
      'VALET_CLIENT_ID applies only to VALET_IDP=cognito.',
    );
  });

  it('expects no audience in WorkOS session tokens unless one is set', () => {
    const sessions = {
      ...AUTH0,
      VALET_IDP: 'workos',
      VALET_ISSUER: 'https://api.workos.com/user_management/client_1',
    };
    expect(issuerAuth(sessions).tokenAudience).toEqual([]);
    expect(issuerAuth({ ...sessions, VALET_TOKEN_AUDIENCE: 'files' }).tokenAudience).toEqual(['files']);
  });
});

describe('loadConfig: VALET_ALLOWED_ORIGINS', () => {
  it('reads a comma-separated list, or * for any origin; unset leaves Valet its default', () => {
    expect(loadConfig({}).allowedOrigins).toBeUndefined();
    expect(
      loadConfig({ VALET_ALLOWED_ORIGINS: ' https://app.example.com , http://localhost:5173,' })
        .allowedOrigins,
    ).toEqual(['https://app.example.com', 'http://localhost:5173']);
    expect(loadConfig({ VALET_ALLOWED_ORIGINS: '*' }).allowedOrigins).toBe('*');
  });
});

describe('loadConfig: VALET_MCP_SDK', () => {
  it('defaults to v1, also when empty, and takes v1 or v2', () => {
    expect(loadConfig({}).mcpSdk).toBe('v1');
    expect(loadConfig({ VALET_MCP_SDK: '' }).mcpSdk).toBe('v1');
    expect(loadConfig({ VALET_MCP_SDK: 'v1' }).mcpSdk).toBe('v1');
    expect(loadConfig({ VALET_MCP_SDK: 'v2' }).mcpSdk).toBe('v2');
    expect(loadConfig({ ...AUTH0, VALET_IDP: 'auth0', VALET_MCP_SDK: 'v2' }).mcpSdk).toBe('v2');
  });

  it('refuses any other value at start-up, naming the variable and the values it takes', () => {
    for (const value of ['V2', '2', 'v3', 'sdk-v2', ' v2']) {
      const error = refusal({ VALET_MCP_SDK: value });
      expect(error.field).toBe('VALET_MCP_SDK');
      expect(error.message).toBe(
        'VALET_MCP_SDK must be v1 (the MCP SDK v1, 2025-era clients) or v2 (the MCP SDK v2, both protocol eras).',
      );
    }
  });
});

describe('loadConfig: VALET_REDIS_URL, VALET_RATE_LIMIT and VALET_DPOP (several instances)', () => {
  it('takes a redis:// or rediss:// URL as written, credentials included; unset keeps state in memory', () => {
    expect(loadConfig({}).redisUrl).toBeUndefined();
    expect(loadConfig({ VALET_REDIS_URL: '' }).redisUrl).toBeUndefined();
    expect(loadConfig({ VALET_REDIS_URL: 'redis://127.0.0.1:6379' }).redisUrl).toBe('redis://127.0.0.1:6379');
    expect(loadConfig({ ...AUTH0, VALET_REDIS_URL: 'rediss://:s3cret@cache.internal:6380/2' }).redisUrl).toBe(
      'rediss://:s3cret@cache.internal:6380/2',
    );
  });

  it('refuses any other VALET_REDIS_URL at start-up, without echoing it (it may hold a password)', () => {
    for (const value of [
      'http://:hunter2@cache:6379',
      'cache:6379',
      'redis:hunter2',
      'redis://',
      'valkey://:hunter2@cache',
      'redis//:hunter2@cache',
    ]) {
      const error = refusal({ VALET_REDIS_URL: value });
      expect(error.field).toBe('VALET_REDIS_URL');
      expect(error.message).toContain('VALET_REDIS_URL must be a redis:// or rediss:// URL');
      expect(error.message).not.toContain('hunter2');
    }
  });

  it('reads VALET_RATE_LIMIT as <count>/<seconds> (units also read); unset: no limit', () => {
    expect(loadConfig({}).rateLimit).toBeUndefined();
    expect(loadConfig({ VALET_RATE_LIMIT: '3/60' }).rateLimit).toEqual({
      spec: '3/60',
      limit: 3,
      windowSeconds: 60,
    });
    expect(loadConfig({ VALET_RATE_LIMIT: '1000/1h' }).rateLimit).toMatchObject({
      limit: 1000,
      windowSeconds: 3600,
    });
  });

  it('refuses a bad VALET_RATE_LIMIT at start-up, naming the variable and the form it takes', () => {
    for (const value of ['60', '0/60', '60/0', '-1/60', '1.5/60', '60 / 60', '60/minute', 'many']) {
      const error = refusal({ VALET_RATE_LIMIT: value });
      expect(error.field).toBe('VALET_RATE_LIMIT');
      expect(error.message).toMatch(/^VALET_RATE_LIMIT must be <count>\/<seconds>, like 60\/60/);
      expect(error.cause).toMatchObject({ code: 'ERR_POLICY_CONFIG' });
    }
  });

  it('reads VALET_DPOP as off, allowed (the default) or required', () => {
    expect(loadConfig({}).dpop).toBe('allowed');
    expect(loadConfig({ VALET_DPOP: '' }).dpop).toBe('allowed');
    for (const mode of ['off', 'allowed', 'required'] as const) {
      expect(loadConfig({ VALET_DPOP: mode }).dpop).toBe(mode);
    }
  });

  it('refuses any other VALET_DPOP at start-up, naming the values it takes', () => {
    for (const value of ['on', 'true', 'Required', 'optional']) {
      const error = refusal({ VALET_DPOP: value });
      expect(error.field).toBe('VALET_DPOP');
      expect(error.message).toMatch(/^VALET_DPOP must be off .*, allowed .* or required/);
    }
  });
});

describe('loadConfig: FILES_BACKUP_URL and the exchange client (backup_file)', () => {
  const CLIENT = { VALET_EXCHANGE_CLIENT_ID: 'files-mcp', VALET_EXCHANGE_CLIENT_SECRET: 'files-mcp-secret' };

  it('reads the backup URL without a trailing slash and the client; unset: no backup tool', () => {
    expect(loadConfig({}).backup).toBeUndefined();
    expect(
      loadConfig({ ...AUTH0, FILES_BACKUP_URL: 'https://backup.example.com/', ...CLIENT }).backup,
    ).toEqual({
      url: 'https://backup.example.com',
      client: { clientId: 'files-mcp', clientSecret: 'files-mcp-secret' },
    });
  });

  it('in development mode lets the embedded server’s own client exchange', () => {
    expect(loadConfig({ FILES_BACKUP_URL: 'http://127.0.0.1:4000' }).backup).toEqual({
      url: 'http://127.0.0.1:4000',
      client: undefined,
    });
  });

  it('requires the client with an issuer', () => {
    const error = refusal({ ...AUTH0, FILES_BACKUP_URL: 'https://backup.example.com' });
    expect(error.field).toBe('VALET_EXCHANGE_CLIENT_ID');
    expect(error.message).toContain(
      'FILES_BACKUP_URL needs VALET_EXCHANGE_CLIENT_ID and VALET_EXCHANGE_CLIENT_SECRET',
    );
  });

  it('takes the two client variables together or not at all, and only with FILES_BACKUP_URL', () => {
    const half = refusal({
      ...AUTH0,
      FILES_BACKUP_URL: 'https://backup.example.com',
      VALET_EXCHANGE_CLIENT_ID: 'x',
    });
    expect(half.field).toBe('VALET_EXCHANGE_CLIENT_SECRET');
    expect(half.message).toContain('set together or not at all');
    expect(refusal({ ...AUTH0, ...CLIENT }).message).toContain('FILES_BACKUP_URL is not');
  });

  it('Security: accepts an absolute https URL, plain http only on loopback, without credentials', () => {
    expect(refusal({ FILES_BACKUP_URL: 'backup.example.com' }).message).toContain('absolute base URL');
    expect(refusal({ FILES_BACKUP_URL: 'ftp://backup.example.com' }).field).toBe('FILES_BACKUP_URL');
    expect(refusal({ FILES_BACKUP_URL: 'http://backup.example.com' }).message).toContain('must use https');
    const secret = refusal({ FILES_BACKUP_URL: 'https://user:pw@backup.example.com' });
    expect(secret.message).toContain('must not contain credentials');
    expect(secret.message).not.toContain('pw');
  });
});

describe('loadConfig: VALET_INTROSPECTION_CLIENT_ID and VALET_INTROSPECTION_CLIENT_SECRET', () => {
  const CLIENT = {
    VALET_INTROSPECTION_CLIENT_ID: 'files-mcp',
    VALET_INTROSPECTION_CLIENT_SECRET: 'introspection-secret',
  };

  it('reads the introspection client, with an issuer or in development mode; unset: JWT verification', () => {
    expect(loadConfig(AUTH0).introspection).toBeUndefined();
    const client = { clientId: 'files-mcp', clientSecret: 'introspection-secret' };
    expect(loadConfig({ ...AUTH0, ...CLIENT }).introspection).toEqual(client);
    expect(loadConfig(CLIENT).introspection).toEqual(client);
  });

  it('takes the two variables together or not at all, never echoing the secret', () => {
    const half = refusal({ ...AUTH0, VALET_INTROSPECTION_CLIENT_SECRET: 'introspection-secret' });
    expect(half.field).toBe('VALET_INTROSPECTION_CLIENT_ID');
    expect(half.message).toContain('set together or not at all');
    expect(half.message).not.toContain('introspection-secret');
    expect(refusal({ VALET_INTROSPECTION_CLIENT_ID: 'files-mcp' }).field).toBe(
      'VALET_INTROSPECTION_CLIENT_SECRET',
    );
  });

  it('refuses VALET_JWKS_URI with it: introspected tokens are not verified with keys', () => {
    const error = refusal({ ...AUTH0, ...CLIENT, VALET_JWKS_URI: 'https://example.us.auth0.com/jwks' });
    expect(error.field).toBe('VALET_JWKS_URI');
    expect(error.message).toContain('does not apply with VALET_INTROSPECTION_CLIENT_ID');
  });

  it('Security: refuses it where tokens carry no aud, since answers could not be tied to this server', () => {
    const error = refusal({
      VALET_ISSUER: 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbCdEf123',
      VALET_IDP: 'cognito',
      VALET_CLIENT_ID: 'app-client',
      VALET_AUDIENCE: 'https://files.example.com/mcp',
      ...CLIENT,
    });
    expect(error.field).toBe('VALET_INTROSPECTION_CLIENT_ID');
    expect(error.message).toContain('VALET_IDP=cognito tokens here carry none');
  });
});
