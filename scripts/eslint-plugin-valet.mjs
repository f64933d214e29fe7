// Two lint rules the workspace needs and no published plugin gives:
//
// - no-import-cycle: import-x/no-cycle (and eslint-plugin-import's) always skip `import type`,
//   with no option to count it; a type-only cycle still ties two files' design together, so this
//   rule counts every import form: `import`, `import type`, `export … from`, `import()`,
//   `import x = require()` and `import('…').T` in a type.
// - no-relative-import-outside-package: a relative path may not leave its own workspace package
//   (the folder of the nearest package.json: packages/core, examples/files-mcp, bench); another
//   package is imported by name, through its entry point.
//
// Specifiers come from TypeScript's own preprocessor (comments and strings are skipped) and are
// resolved with TypeScript's resolver and the root tsconfig.json, so `./x.js` finds `./x.ts` and
// `@valet/core` finds packages/core/src/index.ts, the way `pnpm typecheck` sees them.
import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';

const root = path.resolve(import.meta.dirname, '..');
const packagesDir = path.join(root, 'packages');

/** The folders of `file` under packages/ (['core', 'src', 'policy', 'registry.ts']), or []. */
function packagePath(file) {
  const parts = path.relative(packagesDir, file).split(path.sep);
  return parts[0] === '..' || path.isAbsolute(parts[0]) ? [] : parts;
}
const isSourceFile = (file) => {
  const parts = packagePath(file);
  return parts.length >= 3 && parts[1] === 'src' && /\.[cm]?tsx?$/.test(file) && !/\.d\.[cm]?ts$/.test(file);
};

let compilerOptions;
function resolveImport(specifier, fromFile) {
  if (compilerOptions === undefined) {
    const configFile = path.join(root, 'tsconfig.json');
    const { config } = ts.readConfigFile(configFile, ts.sys.readFile);
    compilerOptions = ts.parseJsonConfigFileContent(config, ts.sys, root, undefined, configFile).options;
  }
  const { resolvedModule } = ts.resolveModuleName(
    specifier,
    fromFile,
    compilerOptions,
    ts.sys,
    undefined,
    undefined,
    ts.ModuleKind.ESNext,
  );
  return resolvedModule === undefined ? undefined : path.resolve(resolvedModule.resolvedFileName);
}

/** Every module specifier in `text`, with its position, in source order. */
function specifiersOf(text) {
  return ts.preProcessFile(text, true, true).importedFiles.map(({ fileName, pos, end }) => ({
    specifier: fileName,
    pos,
    end,
  }));
}

// file -> { mtimeMs, targets }: the source files under packages/*/src that `file` imports. Kept
// across files of one run (and across runs in an editor's long-lived ESLint, checked by mtime).
const importsCache = new Map();
function importsOf(file) {
  let mtimeMs;
  try {
    mtimeMs = statSync(file).mtimeMs;
  } catch {
    return [];
  }
  const cached = importsCache.get(file);
  if (cached !== undefined && cached.mtimeMs === mtimeMs) return cached.targets;
  const targets = [];
  for (const { specifier } of specifiersOf(readFileSync(file, 'utf8'))) {
    const target = resolveImport(specifier, file);
    if (target !== undefined && isSourceFile(target)) targets.push(target);
  }
  importsCache.set(file, { mtimeMs, targets });
  return targets;
}

/** The shortest import path from `start` back to `goal`, as a list of files, or undefined. */
function pathBack(start, goal) {
  const previous = new Map([[start, undefined]]);
  const queue = [start];
  for (let i = 0; i < queue.length; i++) {
    const file = queue[i];
    if (file === goal) {
      const route = [];
      for (let at = file; at !== undefined; at = previous.get(at)) route.unshift(at);
      return route;
    }
    for (const next of importsOf(file)) {
      if (!previous.has(next)) {
        previous.set(next, file);
        queue.push(next);
      }
    }
  }
  return undefined;
}

const shown = (file) => path.relative(root, file).split(path.sep).join('/');

const noImportCycle = {
  meta: {
    type: 'problem',
    docs: { description: 'Forbid import cycles between source files, type-only imports included' },
    schema: [],
    messages: {
      cycle:
        'Import cycle: {{route}}. Type-only imports count. Move what both files need into a module that imports neither.',
    },
  },
  create(context) {
    const file = path.resolve(context.physicalFilename);
    if (!isSourceFile(file)) return {};
    return {
      Program() {
        // The linted file's own imports come from ESLint's text (an editor's unsaved buffer);
        // the files it reaches are read from disk.
        const reported = new Set();
        for (const { specifier, pos, end } of specifiersOf(context.sourceCode.text)) {
          const target = resolveImport(specifier, file);
          if (target === undefined || !isSourceFile(target) || reported.has(target)) continue;
          const route = target === file ? [file] : pathBack(target, file);
          if (route === undefined) continue;
          reported.add(target);
          context.report({
            loc: {
              start: context.sourceCode.getLocFromIndex(pos),
              end: context.sourceCode.getLocFromIndex(end),
            },
            messageId: 'cycle',
            data: { route: [file, ...route].map(shown).join(' -> ') },
          });
        }
      },
    };
  },
};

// folder -> the folder of the nearest package.json at or above it, below the workspace root.
const packageDirCache = new Map();
function packageDirOf(dir) {
  if (dir === root || !dir.startsWith(root + path.sep)) return undefined;
  if (!packageDirCache.has(dir)) {
    packageDirCache.set(
      dir,
      existsSync(path.join(dir, 'package.json')) ? dir : packageDirOf(path.dirname(dir)),
    );
  }
  return packageDirCache.get(dir);
}

const noRelativeImportOutsidePackage = {
  meta: {
    type: 'problem',
    docs: { description: "Forbid relative imports that leave their own workspace package's folder" },
    schema: [],
    messages: {
      outside:
        '"{{specifier}}" leaves {{packageDir}}/ for {{target}}. Import another package by its name (e.g. @valet/core), through its entry point.',
    },
  },
  create(context) {
    const file = path.resolve(context.physicalFilename);
    const packageDir = packageDirOf(path.dirname(file));
    if (packageDir === undefined) return {};
    return {
      Program() {
        for (const { specifier, pos, end } of specifiersOf(context.sourceCode.text)) {
          if (!/^\.\.?(\/|$)/.test(specifier)) continue;
          const target = path.resolve(path.dirname(file), specifier);
          if (target === packageDir || target.startsWith(packageDir + path.sep)) continue;
          context.report({
            loc: {
              start: context.sourceCode.getLocFromIndex(pos),
              end: context.sourceCode.getLocFromIndex(end),
            },
            messageId: 'outside',
            data: { specifier, packageDir: shown(packageDir), target: shown(target) },
          });
        }
      },
    };
  },
};

export default {
  meta: { name: 'valet' },
  rules: {
    'no-import-cycle': noImportCycle,
    'no-relative-import-outside-package': noRelativeImportOutsidePackage,
  },
};
