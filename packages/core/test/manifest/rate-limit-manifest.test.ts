import { describe, expect, it } from '@jest/globals';
import { buildManifest } from '../../src/manifest/build-manifest.js';
import { renderManifestHtml } from '../../src/manifest/render-html.js';
import { renderManifestMarkdown } from '../../src/manifest/render-markdown.js';
import { allOf, and, or, publicAccess, rateLimited } from '../../src/policy/policy.js';
import { PolicyRegistry } from '../../src/policy/registry.js';

const registry = (): PolicyRegistry =>
  new PolicyRegistry()
    .register({ id: 'search', kind: 'tool', policy: rateLimited(allOf('files:read'), '60/m') })
    .register({
      id: 'write_file',
      kind: 'tool',
      policy: and(allOf('files:write'), rateLimited(or(allOf('admin'), allOf('owner')), '10/30s')),
    })
    .register({ id: 'read_file', kind: 'tool', policy: allOf('files:read') })
    .register({ id: 'GET /health', kind: 'route', policy: publicAccess() });

describe('Manifest: each operation shows its rate limit', () => {
  it('as JSON: rateLimit beside a policy that says who may call', () => {
    const manifest = buildManifest(registry());
    const byId = Object.fromEntries(manifest.operations.map((op) => [op.id, op]));
    expect(byId['search']).toMatchObject({
      policy: { kind: 'allOf', scopes: ['files:read'] },
      policyText: 'files:read',
      requiredScopes: ['files:read'],
      rateLimit: { limit: 60, windowSeconds: 60, text: 'at most 60 per minute per caller' },
    });
    expect(byId['write_file']).toMatchObject({
      policy: {
        kind: 'and',
        policies: [
          { kind: 'allOf', scopes: ['files:write'] },
          {
            kind: 'or',
            policies: [
              { kind: 'allOf', scopes: ['admin'] },
              { kind: 'allOf', scopes: ['owner'] },
            ],
          },
        ],
      },
      policyText: 'files:write and (admin or owner)',
      alternativeScopes: ['admin', 'owner'],
      rateLimit: { limit: 10, windowSeconds: 30, text: 'at most 10 per 30 seconds per caller' },
    });
    expect(byId['read_file']).not.toHaveProperty('rateLimit');
    expect(byId['GET /health']).not.toHaveProperty('rateLimit');
  });

  it('in Markdown: a Rate limit column only for the kinds that have one', () => {
    const markdown = renderManifestMarkdown(buildManifest(registry()));
    expect(markdown).toContain('| Name | Policy | Rate limit | Description |');
    expect(markdown).toContain('| search | files:read | at most 60 per minute per caller |  |');
    expect(markdown).toContain('| read\\_file | files:read |  |  |');
    expect(markdown).toContain('## HTTP routes\n\n| Name | Policy | Description |');
  });

  it('in HTML: a Rate limit column only for the kinds that have one', () => {
    const html = renderManifestHtml(buildManifest(registry()));
    expect(html).toContain('<th>Policy</th><th>Rate limit</th><th>Description</th>');
    expect(html).toContain('<td>files:read</td><td>at most 60 per minute per caller</td>');
    expect(html.match(/<th>Rate limit<\/th>/g)).toHaveLength(1);
  });

  it('leaves a manifest without limits as it was', () => {
    const plain = new PolicyRegistry().register({
      id: 'read_file',
      kind: 'tool',
      policy: allOf('files:read'),
    });
    const markdown = renderManifestMarkdown(buildManifest(plain));
    expect(markdown).not.toContain('Rate limit');
    expect(JSON.stringify(buildManifest(plain))).not.toContain('rateLimit');
  });
});
