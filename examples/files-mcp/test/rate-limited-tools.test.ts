import 'reflect-metadata';
import { describe, expect, it } from '@jest/globals';
import {
  PolicyRegistry,
  allOf,
  createPrincipal,
  describePolicy,
  oidc,
  parseRateLimit,
  publicAccess,
} from '@valet/core';
import { ValetTypes } from '@valet/decorators';
import { createFilesApp } from '../src/container.js';
import { limitEveryTool } from '../src/rate-limited-tools.js';

const RESOURCE = 'http://127.0.0.1:3000/mcp';
// Never asked for keys here: the tests make principals directly.
const idp = oidc({ issuer: 'http://127.0.0.1:9/', audience: RESOURCE, jwksUri: 'http://127.0.0.1:9/jwks' });

describe('limitEveryTool (VALET_RATE_LIMIT)', () => {
  it('wraps every tool policy in the limit, copies resources and prompts as they are, and freezes', () => {
    const registry = new PolicyRegistry()
      .register({ id: 'read', kind: 'tool', policy: allOf('files:read'), source: 'Tools.read' })
      .register({ id: 'resource:file:///a', kind: 'resource', policy: publicAccess() })
      .freeze();
    const limited = limitEveryTool(registry, parseRateLimit('3/60'));
    expect(limited.frozen).toBe(true);
    expect(limited.get('read')).toMatchObject({
      source: 'Tools.read',
      policy: { kind: 'rateLimit', policy: allOf('files:read'), rateLimit: { limit: 3, windowSeconds: 60 } },
    });
    expect(limited.get('resource:file:///a')).toEqual(registry.get('resource:file:///a'));
  });

  it('is what createFilesApp decides with, in Valet and in the container, with the limit in each tool description', async () => {
    const app = createFilesApp({
      resource: RESOURCE,
      filesRoot: '/nonexistent',
      idp,
      rateLimit: parseRateLimit('3/60'),
    });
    expect(app.container.get(ValetTypes.Registry)).toBe(app.registry);
    expect(app.valet.registry).toBe(app.registry);
    for (const tool of app.registry.operations('tool')) {
      expect(describePolicy(tool.policy!)).toContain('at most 3 per minute per caller');
    }
    const reader = createPrincipal({ subject: 'ada', scopes: ['files:read'], token: 't' });
    // One limit for every tools/call of a caller, whichever tool: three calls of two tools, then 429.
    const admit = (id: string) => app.valet.admit({ principal: reader, operations: [{ id }] });
    for (const id of ['list_files', 'read_file', 'list_files']) await expect(admit(id)).resolves.toBe(reader);
    await expect(admit('read_file')).rejects.toMatchObject({ status: 429, code: 'ERR_RATE_LIMITED' });
  });

  it('leaves every tool unlimited without VALET_RATE_LIMIT', () => {
    const app = createFilesApp({ resource: RESOURCE, filesRoot: '/nonexistent', idp });
    for (const tool of app.registry.operations('tool')) expect(tool.policy!.kind).not.toBe('rateLimit');
  });
});
