import { describe, expect, it } from '@jest/globals';
import { renderManifestHtml } from '../../src/manifest/render-html.js';
import { demo, hostile } from './manifest-fixtures.js';

describe('renderManifestHtml', () => {
  const html = renderManifestHtml(demo());

  it('is one self-contained page: inline CSS, no script, no external resource', () => {
    expect(html.startsWith('<!doctype html>')).toBe(true);
    expect(html).toContain('<style>');
    expect(html).not.toMatch(/<script|<link|<img|<iframe|\bsrc=|\bhref=|url\(|@import/i);
    expect(html).toContain(`content="default-src 'none'; style-src 'unsafe-inline'"`);
  });

  it('has the operations x scopes matrix with required, any-of, implied and excluded cells', () => {
    const row = (id: string) =>
      html
        .split('\n')
        .find((line) => line.includes('<tr><th scope="row">') && line.includes(`<code>${id}</code>`))!;
    const cells = (id: string) => [...row(id).matchAll(/<td class="cell ?(\w*)"/g)].map((m) => m[1]);
    // columns: admin, files:read, files:write, suspended
    expect(cells('read_file')).toEqual(['implied', 'required', 'implied', 'excluded']);
    expect(cells('search')).toEqual(['alternative', 'alternative', 'implied', '']);
    expect(cells('write_file')).toEqual(['alternative', '', 'required', '']);
    expect(cells('GET /health')).toEqual(['', '', '', '']);
    expect(row('GET /health')).toContain('<span class="badge public">public</span>');
  });

  it('shows scope descriptions and policies in words', () => {
    expect(html).toContain('<td><code>files:write</code></td><td>Write files</td>');
    expect(html).toContain('<td>files:write and (admin or owner-of-path)</td>');
  });

  it('is deterministic', () => {
    expect(renderManifestHtml(demo())).toBe(html);
  });
});

describe('Security: script injection through manifest text (stored XSS in the docs page)', () => {
  const html = renderManifestHtml(hostile());

  it('escapes every value, in text and in attributes', () => {
    expect(html).not.toMatch(/<script|<img|<svg|<b>/i);
    expect(html).toContain(
      '&lt;script&gt;alert(&quot;scope&quot;)&lt;/script&gt; &amp; &quot;quotes&quot; &#39;single&#39;',
    );
    expect(html).toContain('<title>&lt;script&gt;alert(&quot;t&quot;)&lt;/script&gt;</title>');
    expect(html).toContain('<code>&lt;img src=x onerror=alert(1)&gt;</code>');
    expect(html).toContain('&lt;/td&gt;&lt;/tr&gt;&lt;/table&gt;&lt;script&gt;');
    expect(html).toContain('&quot;&gt;&lt;svg onload=alert(1)&gt;');
    expect(html).toContain('title="a&lt;b&gt;: required"');
  });

  it('keeps the document structure intact', () => {
    const count = (tag: string) => html.split(tag).length - 1;
    expect(count('<table')).toBe(count('</table>'));
    expect(count('<tr>')).toBe(count('</tr>'));
    expect(count('<td')).toBe(count('</td>'));
    expect(count('<html')).toBe(1);
    expect(count('</body>')).toBe(1);
  });
});
