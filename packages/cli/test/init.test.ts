import { describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, realpathSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { HELP } from '../src/index.js';
import { INIT_HELP } from '../src/commands/init.js';
import { THIRD_PARTY } from '../src/commands/init-project.js';
import { cli, tempDir } from './cli-harness.js';

const workspace = join(__dirname, '..', '..', '..');
const cliPackage = JSON.parse(readFileSync(join(__dirname, '..', 'package.json'), 'utf8')) as {
  version: string;
};

const EXPECTED_FILES = [
  '.gitignore',
  'README.md',
  'docs/scopes.md',
  'package.json',
  'src/inputs.ts',
  'src/main.ts',
  'src/note-tools.ts',
  'src/scopes.ts',
  'src/server.ts',
  'test/server.test.ts',
  'tsconfig.json',
];

/** Every file under `dir`, relative, with `/`, sorted; node_modules left out. */
function filesIn(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) =>
      join(entry.parentPath, entry.name)
        .slice(dir.length + 1)
        .replaceAll('\\', '/'),
    )
    .filter((path) => !path.startsWith('node_modules/'))
    .sort();
}

const readJson = (path: string): Record<string, unknown> =>
  JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;

/** A project made by `valet init` in a new temp folder. */
async function scaffold(...options: string[]): Promise<string> {
  const cwd = tempDir();
  const result = await cli(['init', 'my-server', ...options], cwd);
  expect(result).toMatchObject({ code: 0, stderr: '' });
  return join(cwd, 'my-server');
}

describe('valet init', () => {
  it('writes the project into a new folder, creating it and its parents, and prints the next steps', async () => {
    const cwd = tempDir();
    const { code, stdout, stderr } = await cli(['init', 'apps/My Server'], cwd);
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    const dir = join(cwd, 'apps', 'My Server');
    expect(filesIn(dir)).toEqual(EXPECTED_FILES);
    expect(stdout).toContain('Created my-server in apps/My Server');
    expect(stdout).toContain("cd 'apps/My Server'\n  npm install\n  npm test");
    expect(stdout).toContain('npm run manifest');
    expect(stdout).toContain('VALET_ISSUER=');
    expect(readJson(join(dir, 'package.json')).name).toBe('my-server');
    expect(readFileSync(join(dir, 'src', 'server.ts'), 'utf8')).toContain("name: 'my-server'");
    for (const file of EXPECTED_FILES) expect(readFileSync(join(dir, file), 'utf8')).not.toContain('{{');
  });

  it('writes into the current folder when it is empty (a .git folder aside), named after it', async () => {
    const cwd = join(tempDir(), 'notes');
    mkdirSync(join(cwd, '.git'), { recursive: true });
    const { code, stdout } = await cli(['init'], cwd);
    expect(code).toBe(0);
    expect(filesIn(cwd).filter((path) => !path.startsWith('.git/'))).toEqual(EXPECTED_FILES);
    expect(stdout).not.toContain('cd ');
    expect(readJson(join(cwd, 'package.json')).name).toBe('notes');
  });

  it('takes the package name from --name, and refuses one npm would not accept', async () => {
    const dir = await scaffold('--name', '@acme/notes-mcp');
    expect(readJson(join(dir, 'package.json')).name).toBe('@acme/notes-mcp');
    const bad = await cli(['init', 'x', '--name', 'Not Valid'], tempDir());
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--name "Not Valid" is not a valid npm package name');
  });

  describe('refuses to write over anything', () => {
    it('refuses a folder that is not empty, with exit status 2, writing nothing', async () => {
      const cwd = tempDir();
      mkdirSync(join(cwd, 'app'));
      writeFileSync(join(cwd, 'app', 'notes.txt'), 'mine');
      expect(await cli(['init', 'app'], cwd)).toEqual({
        code: 2,
        stdout: '',
        stderr:
          'valet: app is not empty (notes.txt); valet init writes a new project only into an empty folder, so nothing was written.\n' +
          'Give a new folder, e.g. "valet init my-server".\n',
      });
      expect(filesIn(join(cwd, 'app'))).toEqual(['notes.txt']);
    });

    it('refuses the current folder when it is not empty', async () => {
      const cwd = tempDir();
      writeFileSync(join(cwd, 'package.json'), '{}');
      const { code, stderr } = await cli(['init'], cwd);
      expect(code).toBe(2);
      expect(stderr).toMatch(/^valet: The current folder is not empty \(package\.json\)/);
      expect(readFileSync(join(cwd, 'package.json'), 'utf8')).toBe('{}');
    });

    it('refuses a path that is a file', async () => {
      const cwd = tempDir();
      writeFileSync(join(cwd, 'app'), '');
      const { code, stderr } = await cli(['init', 'app'], cwd);
      expect(code).toBe(2);
      expect(stderr).toContain('valet: app is a file');
    });
  });

  it('has its help, linked from valet --help', async () => {
    expect(await cli(['init', '--help'])).toEqual({ code: 0, stdout: INIT_HELP, stderr: '' });
    expect(await cli(['help', 'init'])).toEqual({ code: 0, stdout: INIT_HELP, stderr: '' });
    expect(HELP).toContain('init [dir]');
    for (const option of ['--name', '--from', '--verbose']) expect(INIT_HELP).toContain(option);
  });

  describe('the generated configuration', () => {
    it('has the tsconfig the decorators need: strict, NodeNext, legacy decorators with metadata', async () => {
      const { compilerOptions } = readJson(join(await scaffold(), 'tsconfig.json')) as {
        compilerOptions: Record<string, unknown>;
      };
      expect(compilerOptions).toMatchObject({
        strict: true,
        module: 'NodeNext',
        moduleResolution: 'NodeNext',
        experimentalDecorators: true,
        emitDecoratorMetadata: true,
      });
    });

    it('has an ES module package.json with the scripts, on the Valet packages at the CLI version', async () => {
      const pkg = readJson(join(await scaffold(), 'package.json'));
      const range = `^${cliPackage.version}`;
      expect(pkg.type).toBe('module');
      expect(Object.keys(pkg.scripts as object)).toEqual(
        expect.arrayContaining(['build', 'start', 'test', 'manifest']),
      );
      expect(pkg.dependencies).toEqual({
        '@modelcontextprotocol/sdk': expect.any(String),
        '@valet/adapters': range,
        '@valet/core': range,
        '@valet/decorators': range,
        'class-validator': expect.any(String),
        'reflect-metadata': expect.any(String),
      });
      expect(pkg.devDependencies).toEqual({
        '@types/node': expect.any(String),
        '@valet/cli': range,
        '@valet/testing': range,
        typescript: expect.any(String),
      });
    });

    it('asks for the third-party packages at the ranges the workspace builds and tests with', () => {
      const pkg = (path: string) => readJson(join(workspace, path, 'package.json'));
      const deps = (path: string, kind = 'dependencies') => (pkg(path)[kind] ?? {}) as Record<string, string>;
      expect(THIRD_PARTY.dependencies).toEqual({
        '@modelcontextprotocol/sdk': deps('packages/adapters', 'devDependencies')[
          '@modelcontextprotocol/sdk'
        ],
        'class-validator': deps('packages/decorators')['class-validator'],
        'reflect-metadata': deps('packages/decorators')['reflect-metadata'],
      });
      expect(THIRD_PARTY.devDependencies.typescript).toBe(`^${deps('.', 'devDependencies').typescript}`);
    });

    it('depends on the tarballs of --from as file: specs', async () => {
      const packs = tempDir();
      for (const name of ['core', 'decorators', 'adapters', 'testing', 'cli']) {
        writeFileSync(join(packs, `valet-${name}-${cliPackage.version}.tgz`), '');
      }
      const pkg = readJson(join(await scaffold('--from', packs), 'package.json'));
      const deps = { ...(pkg.dependencies as object), ...(pkg.devDependencies as object) } as Record<
        string,
        string
      >;
      for (const name of ['core', 'decorators', 'adapters', 'testing', 'cli']) {
        expect(deps[`@valet/${name}`]).toBe(`file:${join(packs, `valet-${name}-${cliPackage.version}.tgz`)}`);
      }
    });

    it('refuses --from a folder without every tarball, naming the missing one', async () => {
      const packs = tempDir();
      writeFileSync(join(packs, 'valet-core-0.1.0.tgz'), '');
      const cwd = tempDir();
      const { code, stderr } = await cli(['init', 'app', '--from', packs], cwd);
      expect(code).toBe(2);
      expect(stderr).toContain('no tarball of @valet/decorators');
      expect(readdirSync(cwd)).toEqual([]);
    });
  });

  describe('the generated project, against the workspace packages', () => {
    /** A scaffold whose node_modules links the packages it imports from this workspace. */
    async function linkedScaffold(): Promise<string> {
      const dir = await scaffold();
      const example = join(workspace, 'examples', 'files-mcp', 'node_modules');
      const links: Record<string, string> = {
        '@modelcontextprotocol/sdk': join(example, '@modelcontextprotocol', 'sdk'),
        'class-validator': join(example, 'class-validator'),
        'reflect-metadata': join(example, 'reflect-metadata'),
        '@types/node': join(workspace, 'node_modules', '@types', 'node'),
      };
      for (const [name, target] of Object.entries(links)) {
        const link = join(dir, 'node_modules', name);
        mkdirSync(dirname(link), { recursive: true });
        symlinkSync(realpathSync(target), link, 'junction');
      }
      return dir;
    }

    it('type-checks with its own tsconfig, the @valet imports resolved to the workspace sources', async () => {
      const dir = await linkedScaffold();
      const packages = join(workspace, 'packages');
      writeFileSync(
        join(dir, 'tsconfig.check.json'),
        JSON.stringify({
          extends: './tsconfig.json',
          compilerOptions: {
            noEmit: true,
            rootDir: '/', // the workspace sources are outside the project
            paths: {
              '@valet/adapters/*': [join(packages, 'adapters', 'src', '*', 'index.ts')],
              '@valet/*': [join(packages, '*', 'src', 'index.ts')],
            },
          },
          // The packages' own ambient declarations, which their builds include.
          include: ['src', 'test', join(packages, '*', 'src', '**', '*.d.ts')],
        }),
      );
      const tsc = join(workspace, 'node_modules', 'typescript', 'bin', 'tsc');
      let output = '';
      try {
        execFileSync(process.execPath, [tsc, '-p', 'tsconfig.check.json', '--pretty', 'false'], {
          cwd: dir,
          encoding: 'utf8',
          stdio: 'pipe',
        });
      } catch (error) {
        output = String((error as { stdout?: string }).stdout ?? error);
      }
      expect(output).toBe('');
    }, 120_000);

    it('commits a scope manifest that `valet manifest --check` finds up to date', async () => {
      const dir = await linkedScaffold();
      const { code, stdout, stderr } = await cli(
        ['manifest', 'src/note-tools.ts', 'src/scopes.ts', '--check', 'docs/scopes.md'],
        dir,
      );
      expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
      expect(stdout).toContain('docs/scopes.md is up to date: 2 scopes and 2 operations');
    });
  });
});
