/**
 * Makes text inert inside a Markdown table cell or paragraph: line breaks become spaces, and
 * the characters that start emphasis, code, links, HTML or entities, or end a cell, are
 * backslash-escaped (CommonMark allows escaping any ASCII punctuation).
 */
export function escapeMarkdown(value: string): string {
  return value.replace(/[\r\n\u2028\u2029]+/g, ' ').replace(/[\\`*_[\]<>|~&]/g, '\\$&');
}
