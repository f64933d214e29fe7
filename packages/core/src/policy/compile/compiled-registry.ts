import type { CompiledOperation } from './compiled-operation.js';

const store = new WeakMap<object, ReadonlyMap<string, CompiledOperation>>();

/** Records the compiled operations of a frozen registry (kept out of its public surface). */
export function storeCompiled(registry: object, operations: ReadonlyMap<string, CompiledOperation>): void {
  store.set(registry, operations);
}

/** The compiled operations of a frozen registry; undefined before `freeze()`. */
export function compiledOf(registry: object): ReadonlyMap<string, CompiledOperation> | undefined {
  return store.get(registry);
}
