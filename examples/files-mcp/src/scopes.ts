import { defineScopes } from '@valet/core';
import { createDecorators } from '@valet/decorators';

/**
 * The scopes of the files server. `files:write` includes `files:read` (a token that may write
 * may also read what it wrote); deleting and administration are separate grants, so a token for
 * editing files cannot remove them or look behind the sandbox. `files:backup` lets this server act
 * for the caller at the backup API (`backup_file`, offered when `FILES_BACKUP_URL` is set).
 * `files:read` is what a client is asked for first (the 401 challenge).
 */
export const scopes = defineScopes({
  'files:read': { description: 'List, read and search the files in the sandbox', basic: true },
  'files:write': {
    description: 'Create, replace and move files (includes files:read)',
    implies: ['files:read'],
  },
  'files:delete': { description: 'Delete files and empty directories' },
  'files:admin': { description: 'See where the sandbox lives on the server and how much it holds' },
  'files:backup': {
    description: 'Copy files from the sandbox to the backup API, which this server calls on your behalf',
  },
});

/** `@RequiresScope` typed to the catalog: `@RequiresScope('file:write')` does not compile. */
export const { RequiresScope } = createDecorators(scopes);
