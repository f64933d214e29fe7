import { PolicyConfigError } from '@valet/core';

/** What a URI template matched: each variable's value, a list for an exploded one (`{name*}`) that matched several. */
export type UriVariables = Record<string, string | string[]>;

const EXPRESSION = /\{[^}\s]+\}/;
const OPERATORS = '+#./?&';
const SPECIAL = /[.*+?^${}()|[\]\\]/g;
/** Longer URIs name no resource (the MCP SDKs refuse them the same way). */
const MAX_URI_LENGTH = 1_000_000;

/** True when `text` holds a template expression such as `{name}`. */
export function isUriTemplate(text: string): boolean {
  return EXPRESSION.test(text);
}

/**
 * Compiles an RFC 6570 URI template into a matcher that returns the variables of a URI it
 * matches, or `null`. The matching is the MCP SDKs' (v1 and v2 share it): `{name}` matches one
 * path segment, `{+name}` and `{#name}` anything, `{.name}`, `{/name}` a prefixed segment,
 * `{?a,b}` / `{&a}` query parameters in order; Valet has its own copy so that neither binding
 * loads the other SDK. Both the HTTP pre-check and the bound handlers match with it, so they
 * always authorize the same operation.
 */
export function uriTemplateMatcher(template: string): (uri: string) => UriVariables | null {
  let pattern = '^';
  const variables: { readonly name: string; readonly exploded: boolean }[] = [];
  let start = 0;
  for (let open = template.indexOf('{'); open >= 0; open = template.indexOf('{', start)) {
    const close = template.indexOf('}', open);
    if (close < 0) throw new PolicyConfigError(`Resource URI template "${template}" has an unclosed "{".`);
    pattern += escape(template.slice(start, open));
    const expression = template.slice(open + 1, close);
    const operator = OPERATORS.includes(expression.charAt(0)) ? expression.charAt(0) : '';
    const exploded = expression.includes('*');
    const names = expression
      .slice(operator.length)
      .split(',')
      .map((name) => name.replace('*', '').trim())
      .filter((name) => name.length > 0);
    if (operator === '?' || operator === '&') {
      names.forEach((name, i) => {
        pattern += `${i === 0 ? `\\${operator}` : '&'}${escape(name)}=([^&]+)`;
        variables.push({ name, exploded });
      });
    } else if (names.length === 0) {
      throw new PolicyConfigError(
        `Resource URI template "${template}" has an expression without a variable name.`,
      );
    } else {
      // Only the first name of `{a,b}` is matched, as the SDKs do.
      pattern += segmentPattern(operator, exploded);
      variables.push({ name: names[0]!, exploded });
    }
    start = close + 1;
  }
  const regex = new RegExp(`${pattern}${escape(template.slice(start))}$`);
  return (uri) => {
    if (uri.length > MAX_URI_LENGTH) return null;
    const match = regex.exec(uri);
    if (match === null) return null;
    const result: UriVariables = {};
    variables.forEach(({ name, exploded }, i) => {
      const value = match[i + 1]!;
      result[name] = exploded && value.includes(',') ? value.split(',') : value;
    });
    return result;
  };
}

function segmentPattern(operator: string, exploded: boolean): string {
  const segment = exploded ? '([^/,]+(?:,[^/,]+)*)' : '([^/,]+)';
  switch (operator) {
    case '+':
    case '#':
      return '(.+)';
    case '.':
      return '\\.([^/,]+)';
    case '/':
      return `/${segment}`;
    default:
      return segment;
  }
}

function escape(text: string): string {
  return text.replace(SPECIAL, '\\$&');
}
