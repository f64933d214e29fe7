import type { ScopeCatalog } from '@valet/core';

/** Options of {@link collectToolsets} and {@link collectControllers}. */
export interface CollectOptions {
  /** When given, every scope named by `@RequiresScope` / `@RequiresAnyScope` must be declared in it. */
  readonly catalog?: ScopeCatalog;
}
