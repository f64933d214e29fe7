function refuse(): never {
  throw new TypeError('This set is frozen');
}

/** A Set whose mutators throw; `has` stays the native, fast one. */
export function frozenSet<T>(values: Iterable<T>): ReadonlySet<T> {
  const set = new Set(values);
  Object.defineProperties(set, {
    add: { value: refuse },
    delete: { value: refuse },
    clear: { value: refuse },
  });
  return Object.freeze(set);
}
