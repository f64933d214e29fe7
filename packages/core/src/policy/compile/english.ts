/**
 * `"a"`, `"a" and "b"`, `"a", "b" and "c"`; past `max` items: `"a", "b" and 3 more`.
 * Builds the string directly: it runs on the denial path.
 */
export function quotedList(
  items: readonly string[] | ReadonlySet<string>,
  conjunction: 'and' | 'or' = 'and',
  max = Infinity,
): string {
  const count = Array.isArray(items) ? items.length : (items as ReadonlySet<string>).size;
  const shown = Math.min(count, max);
  let text = '';
  let i = 0;
  for (const item of items) {
    if (i === shown) break;
    text += i === 0 ? `"${item}"` : i === count - 1 ? ` ${conjunction} "${item}"` : `, "${item}"`;
    i++;
  }
  return count > shown ? `${text} ${conjunction} ${count - shown} more` : text;
}
