import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type BrowserContext } from 'playwright-core';
import { cli, fixture, tempDir } from '../cli-harness.js';

/** Debian's package; `pnpm test` installs it as root (scripts/ensure-system-packages.mjs). */
const CHROMIUM = process.env['VALET_CHROMIUM'] ?? '/usr/bin/chromium';
const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

describe('valet manifest --format html in headless Chromium', () => {
  let profile: string;
  let context: BrowserContext;
  let page: string;
  const requests: string[] = [];

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) {
      throw new Error(
        `Chromium not found at ${CHROMIUM}. Install it with "apt-get update && apt-get install -y chromium" ` +
          '(pnpm test does as root), or set VALET_CHROMIUM to its path.',
      );
    }
    const dir = tempDir();
    const { code } = await cli(
      ['manifest', fixture('file-toolsets'), '--out', 'scopes.html', '--title', 'Files'],
      dir,
    );
    expect(code).toBe(0);
    page = pathToFileURL(join(dir, 'scopes.html')).href;
    profile = tempDir();
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: ARGS,
    });
    context.on('request', (request) => requests.push(request.url()));
  });

  afterAll(async () => {
    await context?.close();
    if (profile !== undefined) rmSync(profile, { recursive: true, force: true });
  });

  it('shows the operations x scopes matrix with the right cells marked, and makes no other request', async () => {
    const tab = await context.newPage();
    requests.length = 0;
    await tab.goto(page);
    expect(await tab.title()).toBe('Files');
    const matrix = tab.locator('table.matrix');
    expect(await matrix.isVisible()).toBe(true);
    const text = (values: readonly string[]) => values.map((v) => v.replace(/\s+/g, ' ').trim());
    const columns = text(await matrix.locator('thead th').allTextContents()).slice(1);
    const rows: string[][] = [];
    for (const row of await matrix.locator('tbody tr').all()) {
      // The row header: kind, id and a "public" badge, each its own element.
      const label = text(await row.locator('th .kind, th code, th .badge').allTextContents()).join(' ');
      rows.push([label, ...text(await row.locator('td').allTextContents())]);
    }
    const titles = await Promise.all(
      (await matrix.locator('td[title]').all()).map((td) => td.getAttribute('title')),
    );
    expect(columns).toEqual(['admin', 'files:delete', 'files:read', 'files:write']);
    expect(rows).toEqual([
      ['tool health public', '', '', '', ''],
      ['tool list_files', '', '', '●', '○'],
      ['tool purge', '◐', '◐', '', ''],
      ['tool write_file', '', '', '●', '●'],
    ]);
    expect(titles).toContain(
      'files:write: not named, but implies a scope the operation names, so it satisfies it',
    );
    expect(await tab.locator('th[scope=row] .badge.public').count()).toBe(1);
    expect(await tab.getByRole('heading', { level: 2 }).allTextContents()).toEqual([
      'Operations × scopes',
      'Scopes',
      'Tools',
    ]);
    expect(requests).toEqual([page]);
    await tab.close();
  });

  it('would see an external request (control for the check above)', async () => {
    const tab = await context.newPage();
    const seen = tab.waitForEvent('request');
    await tab.setContent('<img src="http://127.0.0.1:9/pixel.png" alt="">');
    expect((await seen).url()).toBe('http://127.0.0.1:9/pixel.png');
    await tab.close();
  });
});
