#!/usr/bin/env node
// Builds every publishable package under packages/ and packs each into one folder with `pnpm pack`
// (which rewrites `workspace:*` to the real versions, as `pnpm publish` does), then prints the
// tarball paths, one a line, on stdout (progress goes to stderr).
//
//   node scripts/pack-all.mjs [--out DIR] [--clean] [--no-build]
//
//   --out DIR    where the tarballs go (default ./packs; emptied of old *.tgz first)
//   --clean      delete each package's dist/ before building, so no stale file is packed (for a release)
//   --no-build   pack what dist/ holds now
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

function parseArgs(argv) {
  const options = { out: path.join(root, 'packs'), clean: false, build: true };
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i];
    if (arg === '--out' && argv[i + 1] !== undefined) options.out = path.resolve(argv[++i]);
    else if (arg === '--clean') options.clean = true;
    else if (arg === '--no-build') options.build = false;
    else throw new Error(`pack-all: unknown argument "${arg}"; expected --out DIR, --clean or --no-build.`);
  }
  return options;
}

/** The packages a user installs: every packages/* that is not private, in directory order. */
export function publishablePackages() {
  const packagesDir = path.join(root, 'packages');
  return readdirSync(packagesDir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && existsSync(path.join(packagesDir, entry.name, 'package.json')))
    .map((entry) => {
      const dir = path.join(packagesDir, entry.name);
      const pkg = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8'));
      return { dir, name: pkg.name, version: pkg.version, private: pkg.private === true };
    })
    .filter((pkg) => !pkg.private);
}

function run(command, args, cwd) {
  return execFileSync(command, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
}

/** Builds and packs; resolves to the absolute tarball paths. */
export function packAll(argv = []) {
  const options = parseArgs(argv);
  const packages = publishablePackages();
  if (options.clean) {
    for (const pkg of packages) rmSync(path.join(pkg.dir, 'dist'), { recursive: true, force: true });
  }
  if (options.build) {
    process.stderr.write(`pack-all: building ${packages.map((p) => p.name).join(', ')}\n`);
    // The workspace's own build, restricted to packages/ (examples and bench are not published).
    run('pnpm', ['-r', '--filter', './packages/**', 'run', 'build'], root);
  }
  mkdirSync(options.out, { recursive: true });
  for (const file of readdirSync(options.out)) {
    if (file.endsWith('.tgz')) rmSync(path.join(options.out, file));
  }
  const tarballs = [];
  for (const pkg of packages) {
    if (!existsSync(path.join(pkg.dir, 'dist'))) {
      throw new Error(`pack-all: ${pkg.name} has no dist/; build it first (or drop --no-build).`);
    }
    const output = run('pnpm', ['pack', '--pack-destination', options.out], pkg.dir);
    const tarball = output.trim().split('\n').pop().trim();
    const absolute = path.resolve(pkg.dir, tarball);
    if (!tarball.endsWith('.tgz') || !existsSync(absolute)) {
      throw new Error(`pack-all: could not find the tarball pnpm pack made for ${pkg.name}:\n${output}`);
    }
    tarballs.push(absolute);
  }
  return tarballs;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    for (const tarball of packAll(process.argv.slice(2))) console.log(tarball);
  } catch (error) {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  }
}
