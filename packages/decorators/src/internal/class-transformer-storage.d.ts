// class-transformer keeps its @Type metadata in a singleton it does not export from its index;
// its CommonJS build (what Node loads for `class-transformer`) has it in cjs/storage.js.
declare module 'class-transformer/cjs/storage.js' {
  import type { MetadataStorage } from 'class-transformer/types/MetadataStorage.js';

  export const defaultMetadataStorage: MetadataStorage;
}
