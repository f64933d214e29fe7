import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { UriTemplate as V1UriTemplate } from '@modelcontextprotocol/sdk/shared/uriTemplate.js';
import { UriTemplate as V2UriTemplate } from '@modelcontextprotocol/server';
import { PolicyConfigError } from '@valet/core';
import { isUriTemplate, uriTemplateMatcher } from '../../../src/mcp/internal/uri-template.js';

const literal = fc.stringMatching(/^[a-z0-9:/._,&?=-]{0,6}$/);
const name = fc.stringMatching(/^[a-z]{1,3}$/);
const expression = fc
  .tuple(
    fc.constantFrom('', '+', '#', '.', '/', '?', '&'),
    fc.array(name, { minLength: 1, maxLength: 2 }),
    fc.boolean(),
  )
  .map(([operator, names, explode]) => `{${operator}${names.join(',')}${explode ? '*' : ''}}`);
const template = fc
  .array(fc.oneof(literal, expression), { minLength: 1, maxLength: 5 })
  .map((parts) => parts.join(''));
const value = fc.oneof(
  fc.stringMatching(/^[a-z0-9._~-]{1,5}$/),
  fc.array(fc.stringMatching(/^[a-z0-9]{1,3}$/), { minLength: 1, maxLength: 3 }),
);

describe('the URI template matcher matches as both MCP SDKs do', () => {
  it('on URIs the SDK expands from the template', () => {
    fc.assert(
      fc.property(template, fc.dictionary(name, value), (source, variables) => {
        const uri = new V1UriTemplate(source).expand(variables);
        const ours = uriTemplateMatcher(source)(uri);
        expect(ours).toEqual(new V1UriTemplate(source).match(uri));
        expect(ours).toEqual(new V2UriTemplate(source).match(uri));
      }),
      { numRuns: 2000 },
    );
  });

  it('on arbitrary URIs', () => {
    fc.assert(
      fc.property(template, fc.stringMatching(/^[a-z0-9:/._,&?=#-]{0,16}$/), (source, uri) => {
        expect(uriTemplateMatcher(source)(uri)).toEqual(new V1UriTemplate(source).match(uri));
      }),
      { numRuns: 2000 },
    );
  });

  it('tells templates from fixed URIs as the SDKs do', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[a-z{} :/]{0,10}$/), (text) => {
        expect(isUriTemplate(text)).toBe(V1UriTemplate.isTemplate(text));
      }),
    );
  });
});

describe('Security: resource URIs that name nothing', () => {
  it('a URI past 1,000,000 characters matches no template (the SDKs refuse it too)', () => {
    expect(uriTemplateMatcher('files:///{+path}')(`files:///${'a'.repeat(1_000_000)}`)).toBeNull();
  });

  it('a broken template fails at set-up with a message naming it', () => {
    expect(() => uriTemplateMatcher('files:///{name')).toThrow(PolicyConfigError);
    expect(() => uriTemplateMatcher('files:///{name')).toThrow('"files:///{name"');
    expect(() => uriTemplateMatcher('files:///{ }/{name}')).toThrow(/without a variable name/);
  });
});
