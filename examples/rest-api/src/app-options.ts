import type { Valet } from '@valet/core';
import type { FileStore } from './file-store.js';

/** Options of `createExpressApp` and `createFastifyApp`. */
export interface AppOptions {
  /** The Valet to enforce with; its registry should carry the catalog of `scopes.ts`. */
  readonly valet: Valet;
  /** The files served. Default an empty store. */
  readonly store?: FileStore;
}
