import { downstreamText } from './render/downstream-text.js';
import { escapeHtml as h } from './render/html-escape.js';
import {
  CELL_LEGEND,
  CELL_MEANING,
  CELL_SYMBOL,
  KIND_HEADINGS,
  KIND_ORDER,
  matrixCells,
  operationsOf,
} from './render/manifest-matrix.js';
import type { Manifest, ManifestOperation } from './manifest.js';

const STYLE = `
:root{color-scheme:light dark;--line:#8884;--muted:#777;--accent:#2a6fdb}
body{font:15px/1.5 system-ui,-apple-system,"Segoe UI",sans-serif;margin:2rem auto;max-width:75rem;padding:0 1rem}
h1{margin-bottom:.2rem}.meta{color:var(--muted);margin-top:0}
table{border-collapse:collapse;margin:1rem 0}th,td{border:1px solid var(--line);padding:.3rem .6rem;text-align:left;vertical-align:top}
.matrix-wrap{overflow-x:auto}.matrix td.cell{text-align:center;font-size:1.1rem}
.matrix thead th{position:sticky;top:0;background:Canvas}
.matrix th.scope{writing-mode:vertical-rl;transform:rotate(180deg);white-space:nowrap}
.required{color:var(--accent)}.alternative{color:#b7791f}.implied{color:var(--muted)}.excluded{color:#c53030}
.badge{display:inline-block;font-size:.75rem;padding:0 .4rem;border-radius:.6rem;border:1px solid var(--line);margin-left:.3rem}
.public{background:#38a16933}.kind{color:var(--muted)}code{font-size:.9em}
`;

/**
 * Renders a manifest as one self-contained HTML page: inline CSS, no script, no external
 * resource (a Content-Security-Policy meta tag forbids both). It shows the operations x scopes
 * matrix (rows operations, columns scopes; cells mark required, any-of, implied-satisfies and
 * excluded scopes), the scopes with their descriptions, and the operations by kind with their
 * policy in words; public operations are marked. Every value is HTML-escaped.
 *
 * @example
 * ```ts
 * writeFileSync('scopes.html', renderManifestHtml(buildManifest(registry)));
 * ```
 */
export function renderManifestHtml(manifest: Manifest): string {
  const facts = [`Manifest version ${manifest.manifestVersion}`];
  if (manifest.version !== undefined) facts.push(`server version ${h(manifest.version)}`);
  if (manifest.generatedAt !== undefined) facts.push(`generated ${h(manifest.generatedAt)}`);
  return [
    '<!doctype html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">`,
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${h(manifest.title)}</title>`,
    `<style>${STYLE}</style>`,
    '</head>',
    '<body>',
    `<h1>${h(manifest.title)}</h1>`,
    `<p class="meta">${facts.join(' · ')}</p>`,
    matrix(manifest),
    scopes(manifest),
    operations(manifest),
    '</body>',
    '</html>',
    '',
  ].join('\n');
}

function matrix(manifest: Manifest): string {
  if (manifest.operations.length === 0 || manifest.scopes.length === 0) return '';
  const cell = matrixCells(manifest);
  const legend = CELL_LEGEND.map(
    ([kind, symbol, meaning]) => `<li><span class="${kind}">${symbol}</span> ${h(meaning)}</li>`,
  ).join('');
  const head = manifest.scopes
    .map((s) => `<th scope="col" class="scope" title="${h(s.description ?? s.name)}">${h(s.name)}</th>`)
    .join('');
  const rows = manifest.operations.map((op) => {
    const cells = manifest.scopes.map((s) => {
      const c = cell(op, s.name);
      if (c === undefined) return '<td class="cell"></td>';
      return `<td class="cell ${c}" title="${h(`${s.name}: ${CELL_MEANING[c]}`)}">${CELL_SYMBOL[c]}</td>`;
    });
    return `<tr><th scope="row">${operationLabel(op)}</th>${cells.join('')}</tr>`;
  });
  return [
    '<h2>Operations × scopes</h2>',
    `<ul class="legend">${legend}</ul>`,
    '<div class="matrix-wrap"><table class="matrix">',
    `<thead><tr><th scope="col">Operation</th>${head}</tr></thead>`,
    `<tbody>${rows.join('\n')}</tbody>`,
    '</table></div>',
  ].join('\n');
}

function scopes(manifest: Manifest): string {
  if (manifest.scopes.length === 0) return '<h2>Scopes</h2>\n<p>No scopes.</p>';
  const rows = manifest.scopes.map(
    (s) =>
      `<tr><td><code>${h(s.name)}</code></td><td>${h(s.description ?? '')}</td><td>${codes(s.implies)}</td>` +
      `<td>${codes(s.impliedBy)}</td><td>${codes(s.operations)}</td></tr>`,
  );
  return [
    '<h2>Scopes</h2>',
    '<table><thead><tr><th>Scope</th><th>Description</th><th>Implies</th><th>Implied by</th><th>Needed by</th></tr></thead>',
    `<tbody>${rows.join('\n')}</tbody></table>`,
  ].join('\n');
}

function operations(manifest: Manifest): string {
  const sections: string[] = [];
  for (const kind of KIND_ORDER) {
    const ops = operationsOf(manifest, kind);
    if (ops.length === 0) continue;
    // The rate-limit column only where an operation of the kind has a limit.
    const limited = ops.some((op) => op.rateLimit !== undefined);
    // Likewise the delegation column, only where an operation of the kind has downstream needs.
    const delegates = ops.some((op) => op.downstream !== undefined);
    const rows = ops.map((op) => {
      const about = [op.title, op.description].filter((t) => t !== undefined).map((t) => h(t));
      const limit = limited ? `<td>${h(op.rateLimit?.text ?? '')}</td>` : '';
      const behalf = delegates ? `<td>${h(downstreamText(op.downstream))}</td>` : '';
      return `<tr><td>${operationLabel(op)}</td><td>${h(op.policyText)}</td>${limit}${behalf}<td>${about.join(': ')}</td></tr>`;
    });
    const heads =
      (limited ? '<th>Rate limit</th>' : '') + (delegates ? "<th>Acts on the caller's behalf</th>" : '');
    sections.push(
      `<h2>${h(KIND_HEADINGS[kind])}</h2>`,
      `<table><thead><tr><th>Name</th><th>Policy</th>${heads}<th>Description</th></tr></thead>`,
      `<tbody>${rows.join('\n')}</tbody></table>`,
    );
  }
  return sections.join('\n');
}

function operationLabel(op: ManifestOperation): string {
  const badge = op.public ? '<span class="badge public">public</span>' : '';
  return `<span class="kind">${h(op.kind)}</span> <code>${h(op.id)}</code>${badge}`;
}

function codes(values: readonly string[]): string {
  return values.map((v) => `<code>${h(v)}</code>`).join(', ');
}
