import {
  CELL_LEGEND,
  CELL_SYMBOL,
  KIND_HEADINGS,
  KIND_ORDER,
  matrixCells,
  operationsOf,
} from './render/manifest-matrix.js';
import { escapeMarkdown as md } from './render/markdown-escape.js';
import type { Manifest } from './manifest.js';
import { downstreamText } from './render/downstream-text.js';

/**
 * Renders a manifest as Markdown (GitHub-flavoured tables): the scopes with their descriptions
 * and implications, the operations grouped by kind with their policy in words, and an
 * operations x scopes matrix. Every value is escaped, so a description cannot inject markup.
 * Deterministic, like the manifest.
 *
 * @example
 * ```ts
 * writeFileSync('SCOPES.md', renderManifestMarkdown(buildManifest(registry)));
 * ```
 */
export function renderManifestMarkdown(manifest: Manifest): string {
  const lines: string[] = [`# ${md(manifest.title)}`, ''];
  const facts = [`Manifest version ${manifest.manifestVersion}`];
  if (manifest.version !== undefined) facts.push(`server version ${md(manifest.version)}`);
  if (manifest.generatedAt !== undefined) facts.push(`generated ${md(manifest.generatedAt)}`);
  lines.push(`${facts.join(' · ')}.`, '');

  lines.push('## Scopes', '');
  if (manifest.scopes.length === 0) {
    lines.push('No scopes.', '');
  } else {
    lines.push(row(['Scope', 'Description', 'Implies', 'Implied by', 'Needed by']), rule(5));
    for (const scope of manifest.scopes) {
      lines.push(
        row([
          md(scope.name),
          md(scope.description ?? ''),
          list(scope.implies),
          list(scope.impliedBy),
          list(scope.operations),
        ]),
      );
    }
    lines.push('');
  }

  for (const kind of KIND_ORDER) {
    const operations = operationsOf(manifest, kind);
    if (operations.length === 0) continue;
    // The rate-limit column only where an operation of the kind has a limit.
    const limited = operations.some((op) => op.rateLimit !== undefined);
    // Likewise the delegation column, only where an operation of the kind has downstream needs.
    const delegates = operations.some((op) => op.downstream !== undefined);
    const heads = [
      'Name',
      'Policy',
      ...(limited ? ['Rate limit'] : []),
      ...(delegates ? ["Acts on the caller's behalf"] : []),
      'Description',
    ];
    lines.push(`## ${KIND_HEADINGS[kind]}`, '', row(heads), rule(heads.length));
    for (const op of operations) {
      const name = op.public ? `${md(op.id)} (public)` : md(op.id);
      const about = [op.title, op.description].filter((t) => t !== undefined).map((t) => md(t));
      const limit = limited ? [md(op.rateLimit?.text ?? '')] : [];
      const behalf = delegates ? [md(downstreamText(op.downstream))] : [];
      lines.push(row([name, md(op.policyText), ...limit, ...behalf, about.join(': ')]));
    }
    lines.push('');
  }

  if (manifest.operations.length > 0 && manifest.scopes.length > 0) {
    const cell = matrixCells(manifest);
    lines.push('## Operations × scopes', '');
    lines.push(CELL_LEGEND.map(([, symbol, meaning]) => `${symbol} ${meaning}`).join(' · ') + '.', '');
    lines.push(
      row(['Operation', ...manifest.scopes.map((s) => md(s.name))]),
      rule(manifest.scopes.length + 1),
    );
    for (const op of manifest.operations) {
      const label = `${op.kind} ${md(op.id)}${op.public ? ' (public)' : ''}`;
      const cells = manifest.scopes.map((s) => {
        const c = cell(op, s.name);
        return c === undefined ? '' : CELL_SYMBOL[c];
      });
      lines.push(row([label, ...cells]));
    }
    lines.push('');
  }
  return lines.join('\n');
}

function row(cells: readonly string[]): string {
  return `| ${cells.join(' | ')} |`;
}

function rule(columns: number): string {
  return row(Array.from({ length: columns }, () => '---'));
}

function list(values: readonly string[]): string {
  return values.map(md).join(', ');
}
