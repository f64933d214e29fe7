/** The query of a request target, `?` included, or `undefined` when there is none (nothing to parse). */
export function urlQuery(url: string | undefined): string | undefined {
  const start = url === undefined ? -1 : url.indexOf('?');
  return start < 0 ? undefined : url!.slice(start);
}
