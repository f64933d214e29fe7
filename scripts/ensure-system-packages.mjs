// Two tests need a Debian package: the HTML manifest test drives Chromium (no browser download)
// and the @valet/redis tests start redis-server. `pnpm test` and `.ci/run` run this first. A
// missing package is installed with apt-get when running as root (a fresh CI machine), after a
// line saying what is installed and why; otherwise this says which tests will fail and how to
// install it, and Jest still runs every other test. Nothing is installed without a word.
//
//   node scripts/ensure-system-packages.mjs
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const PACKAGES = [
  {
    name: 'chromium',
    binary: process.env.VALET_CHROMIUM || '/usr/bin/chromium',
    needed: 'the HTML manifest test (packages/cli/test/commands/manifest-html.test.ts)',
    hint: 'or set VALET_CHROMIUM to a Chromium binary',
  },
  {
    name: 'redis-server',
    binary: process.env.REDIS_SERVER || '/usr/bin/redis-server',
    needed: 'the @valet/redis tests (packages/redis/test)',
    hint: 'or set REDIS_SERVER to a redis-server binary',
  },
];

const missing = PACKAGES.filter((pkg) => !existsSync(pkg.binary));
if (missing.length > 0) {
  const names = missing.map((pkg) => pkg.name);
  if (process.getuid?.() === 0) {
    for (const pkg of missing)
      console.log(`Installing Debian's ${pkg.name} package (apt-get) for ${pkg.needed}.`);
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
    execFileSync('apt-get', ['install', '-y', '-qq', ...names], { stdio: 'inherit', env });
  } else {
    for (const pkg of missing) {
      console.error(
        `NOTICE: ${pkg.binary} is missing, so ${pkg.needed} will fail; every other test runs. ` +
          `Install it with "sudo apt-get update && sudo apt-get install -y ${pkg.name}", ${pkg.hint}.`,
      );
    }
  }
}
