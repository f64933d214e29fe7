function refuse(): never {
  throw new TypeError('This set is frozen');
}

/**
 * The mutators are overridden once on the class rather than defined on every instance: a
 * principal is created per verified token, and per-instance `defineProperties` would cost more
 * than the Set itself.
 */
class FrozenSet<T> extends Set<T> {
  constructor(values: Iterable<T>) {
    super();
    for (const value of values) super.add(value);
    Object.freeze(this);
  }

  override add(_value: T): never {
    return refuse();
  }

  override delete(_value: T): never {
    return refuse();
  }

  override clear(): never {
    return refuse();
  }
}

/** A Set whose mutators throw; `has` stays the native, fast one. */
export function frozenSet<T>(values: Iterable<T>): ReadonlySet<T> {
  return new FrozenSet(values);
}
