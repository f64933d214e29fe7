import { describe, expect, it } from '@jest/globals';
import { renderManifestMarkdown } from '../../src/manifest/render-markdown.js';
import { demo, hostile } from './manifest-fixtures.js';

describe('renderManifestMarkdown', () => {
  const markdown = renderManifestMarkdown(demo());

  it('has the scope table, a section per kind with policies in words, and the matrix', () => {
    expect(markdown).toContain('# Files MCP');
    expect(markdown).toContain('| files:write | Write files | files:read | admin | write\\_file |');
    expect(markdown).toContain('## Tools');
    expect(markdown).toContain('| write\\_file | files:write and (admin or owner-of-path) | Write |');
    expect(markdown).toContain('## HTTP routes');
    expect(markdown).toContain('| GET /health (public) | public |  |');
    expect(markdown).not.toContain('## Prompts');
    expect(markdown).toContain('| Operation | admin | files:read | files:write | suspended |');
    // read_file: files:read required, suspended excluded, the scopes implying files:read satisfy it.
    expect(markdown).toContain('| tool read\\_file | ○ | ● | ○ | ✕ |');
    expect(markdown).toContain('| tool search | ◐ | ◐ | ○ |  |');
    expect(markdown).toContain('| tool write\\_file | ◐ |  | ● |  |');
  });

  it('is deterministic', () => {
    expect(renderManifestMarkdown(demo())).toBe(markdown);
  });

  it('escapes markup, pipes and line breaks so a description cannot break the tables', () => {
    const text = renderManifestMarkdown(hostile());
    expect(text).not.toMatch(/(?<!\\)<(script|img|svg|b)/);
    expect(text).toContain('\\<script\\>alert("scope")\\</script\\>');
    expect(text).toContain('line break \\| pipe \\`code\\` \\*bold\\* \\[link\\](javascript:alert(1))');
    const tables = text.split('\n\n').filter((block) => block.startsWith('| '));
    expect(tables).toHaveLength(3);
    for (const table of tables) {
      const widths = table
        .trim()
        .split('\n')
        .map((row) => row.split(/(?<!\\)\|/).length);
      expect(new Set(widths).size).toBe(1);
    }
  });
});
