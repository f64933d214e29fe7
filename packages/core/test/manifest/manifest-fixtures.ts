import { buildManifest } from '../../src/manifest/build-manifest.js';
import type { Manifest } from '../../src/manifest/manifest.js';
import { allOf, and, anyOf, check, not, or, publicAccess } from '../../src/policy/policy.js';
import { PolicyRegistry } from '../../src/policy/registry.js';
import { defineScopes } from '../../src/policy/scope-catalog.js';

/** A registry with every kind of policy, built into a manifest. */
export function demo(): Manifest {
  const catalog = defineScopes({
    'files:read': { description: 'Read files' },
    'files:write': { description: 'Write files', implies: ['files:read'] },
    admin: { description: 'Administer', implies: ['files:write'] },
    suspended: {},
  });
  const registry = new PolicyRegistry({ catalog })
    .register({
      id: 'write_file',
      kind: 'tool',
      title: 'Write',
      policy: and(
        allOf('files:write'),
        or(
          allOf('admin'),
          check('owner-of-path', () => true),
        ),
      ),
    })
    .register({ id: 'read_file', kind: 'tool', policy: and(allOf('files:read'), not(allOf('suspended'))) })
    .register({ id: 'search', kind: 'tool', policy: anyOf('files:read', 'admin') })
    .register({ id: 'GET /health', kind: 'route', policy: publicAccess() });
  return buildManifest(registry, { title: 'Files MCP', version: '2.0.0' });
}

/** Scope names and ids are tokens, but titles and descriptions are free text from code. */
export function hostile(): Manifest {
  const catalog = defineScopes({
    'a<b>': { description: '<script>alert("scope")</script> & "quotes" \'single\'' },
    'x|y': { description: 'line\nbreak | pipe `code` *bold* [link](javascript:alert(1))' },
  });
  const registry = new PolicyRegistry({ catalog }).register({
    id: '<img src=x onerror=alert(1)>',
    kind: 'tool',
    title: '</td></tr></table><script>alert("title")</script>',
    description: '"><svg onload=alert(1)>',
    policy: and(
      allOf('a<b>'),
      or(
        allOf('x|y'),
        check('<script>check</script>', () => true),
      ),
    ),
  });
  return buildManifest(registry, { title: '<script>alert("t")</script>', version: '<b>1</b>' });
}
