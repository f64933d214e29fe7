/** How {@link findDuplicates} tells declarations apart, and what it says when two clash. */
export interface Identity {
  /** Unique among all declarations: `write_file`, `GET /files/:id`. */
  readonly id: string;
  /** How the message names it: `Tool "write_file"`, `Route "GET /files/:id"`. */
  readonly what: string;
  /** The advice that ends the message: `Names must be unique; rename one with @Tool({ name }).` */
  readonly fix: string;
}

/**
 * Adds a problem for every declaration whose id an earlier one already has, naming both
 * places: `Tool "write_file" is declared twice: by FileTools.write and by AdminTools.write. ...`
 */
export function findDuplicates<T extends { readonly source: string }>(
  declarations: readonly T[],
  identify: (declaration: T) => Identity,
  problems: Set<string>,
): void {
  const byId = new Map<string, T>();
  for (const declaration of declarations) {
    const { id, what, fix } = identify(declaration);
    const first = byId.get(id);
    if (first === undefined) {
      byId.set(id, declaration);
      continue;
    }
    problems.add(`${what} is declared twice: by ${first.source} and by ${declaration.source}. ${fix}`);
  }
}
