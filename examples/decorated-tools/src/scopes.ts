import { defineScopes } from '@valet/core';
import { createDecorators } from '@valet/decorators';

/** The scopes this server defines: `files:write` includes `files:read`; deleting is separate. */
export const scopes = defineScopes({
  'files:read': { description: 'List and read files', basic: true },
  'files:write': { description: 'Create and replace files', implies: ['files:read'] },
  'files:delete': { description: 'Delete files' },
});

/** Scope decorators typed to the catalog: `@RequiresScope('file:write')` does not compile. */
export const { RequiresScope, RequiresAnyScope } = createDecorators(scopes);
