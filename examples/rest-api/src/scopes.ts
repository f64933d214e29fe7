import { defineScopes } from '@valet/core';

/**
 * The scopes of the files API (the same four as the files-mcp example). `files:write` includes
 * `files:read`: a token that may write may read what it wrote. Deleting and administration are
 * separate grants. `files:read` is what a client is asked for first (the 401 challenge).
 */
export const scopes = defineScopes({
  'files:read': { description: 'List and read files', basic: true },
  'files:write': { description: 'Create and replace files (includes files:read)', implies: ['files:read'] },
  'files:delete': { description: 'Delete files' },
  'files:admin': { description: 'See how much the store holds' },
});
