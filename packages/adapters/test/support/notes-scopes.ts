import { defineScopes } from '@valet/core';

/** The scope catalog the typed-route tests declare their guards against. */
export const notes = defineScopes({
  'notes:read': { description: 'Read notes' },
  'notes:write': { description: 'Write notes', implies: ['notes:read'] },
});
