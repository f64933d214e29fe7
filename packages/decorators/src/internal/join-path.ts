/** A route's full path: `/files` + `/:id` -> `/files/:id`; `/files` + `/` -> `/files`; `''` + `''` -> `/`. */
export function joinPath(prefix: string, path: string): string {
  const full = `${prefix}${path === '/' ? '' : path}`;
  return full === '' ? '/' : full;
}
