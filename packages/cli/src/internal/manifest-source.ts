import { PolicyRegistry, ScopeCatalog } from '@valet/core';
import { isToolset, registerToolsets, type ToolsetClass } from '@valet/decorators';
import { CliError } from './cli-error.js';
import type { ModuleExport } from './load-module.js';

/** What the exports yielded: the registry to document, and where it came from (for messages). */
export interface ManifestSource {
  readonly registry: PolicyRegistry;
  /** `policy registry "registry"`, or `toolsets AdminTools, FileTools with catalog "scopes"`. */
  readonly description: string;
}

type Kind = 'registry' | 'toolset' | 'catalog';

interface Found {
  readonly kind: Kind;
  readonly entry: ModuleExport;
}

/**
 * Picks what to document from the exports of the loaded `modules`:
 *
 * - an exported {@link PolicyRegistry} is documented as it is (it wins over exported toolsets,
 *   which it presumably already holds); two registries need `--export NAME`;
 * - otherwise every exported `@Toolset()` class is registered in a new registry, with the
 *   exported {@link ScopeCatalog} (descriptions, implications, unknown-scope checks) if there is
 *   one; two catalogs need `--export NAME`.
 *
 * `only` (the `--export` names) picks among the exports of each kind it names: one of several
 * registries or catalogs, or some of the toolsets (then no registry is used). Kinds it does not
 * name are taken from all exports, so naming toolsets still finds their catalog.
 */
export function manifestSource(
  modules: readonly string[],
  exports: readonly ModuleExport[],
  only: readonly string[],
): ManifestSource {
  const found = exports.flatMap((entry): Found[] => {
    const kind = kindOf(entry);
    return kind === undefined ? [] : [{ kind, entry }];
  });
  const named = pick(exports, found, only);
  const of = (kind: Kind, from: readonly Found[]) => unique(from.filter((f) => f.kind === kind));
  // --export picks among the exports of its kind; kinds it does not name are taken as found.
  const either = (kind: Kind) => (of(kind, named).length > 0 ? of(kind, named) : of(kind, found));
  const toolsets = either('toolset');
  const catalogs = either('catalog');
  const namedToolsets = of('toolset', named).length > 0;
  const registries = of('registry', named).length > 0 || !namedToolsets ? either('registry') : [];

  if (registries.length > 1) {
    throw new CliError(`Found ${registries.length} policy registries: ${names(registries)}.`, {
      hint: 'Choose one with --export NAME.',
    });
  }
  const [registry] = registries;
  if (registry !== undefined) {
    if (namedToolsets) {
      throw new CliError(
        `--export names both a policy registry (${registry.entry.name}) and toolsets (${names(toolsets)}); name one or the other.`,
      );
    }
    return {
      registry: registry.entry.value as PolicyRegistry,
      description: `policy registry "${registry.entry.name}"`,
    };
  }
  if (toolsets.length === 0) throw nothingUsable(modules, exports);
  if (catalogs.length > 1) {
    throw new CliError(`Found ${catalogs.length} scope catalogs: ${names(catalogs)}.`, {
      hint: 'Choose the one the toolsets use with --export NAME.',
    });
  }
  const [catalog] = catalogs;
  const created = new PolicyRegistry(
    catalog === undefined ? {} : { catalog: catalog.entry.value as ScopeCatalog },
  );
  registerToolsets(
    created,
    toolsets.map((t) => t.entry.value as ToolsetClass),
  );
  const withCatalog =
    catalog === undefined ? ' (no scope catalog exported)' : ` with catalog "${catalog.entry.name}"`;
  return { registry: created, description: `toolsets ${names(toolsets)}${withCatalog}` };
}

function kindOf({ value, name, module }: ModuleExport): Kind | undefined {
  if (value instanceof PolicyRegistry) return 'registry';
  if (value instanceof ScopeCatalog) return 'catalog';
  if (isToolset(value)) return 'toolset';
  const type = (value as { constructor?: { name?: unknown } } | null | undefined)?.constructor?.name;
  if (type === 'PolicyRegistry' || type === 'ScopeCatalog') {
    throw new CliError(
      `Export "${name}" of ${module} is a ${type} from another copy of @valet/core than the one valet uses.`,
      { hint: 'Install @valet/cli in the project of the module, so that both use one @valet/core.' },
    );
  }
  return undefined;
}

function pick(exports: readonly ModuleExport[], found: readonly Found[], only: readonly string[]): Found[] {
  return only.flatMap((name) => {
    const matches = found.filter((f) => f.entry.name === name);
    if (matches.length > 0) return matches;
    if (exports.some((e) => e.name === name)) {
      throw new CliError(
        `Export "${name}" is not a PolicyRegistry, a ScopeCatalog or a class marked @Toolset().`,
      );
    }
    throw new CliError(`No module exports "${name}". The exports are: ${exportList(exports)}.`);
  });
}

function nothingUsable(modules: readonly string[], exports: readonly ModuleExport[]): CliError {
  const what = `${modules.join(', ')} ${modules.length === 1 ? 'exports' : 'export'}`;
  return new CliError(
    `${what} nothing to document: no PolicyRegistry and no class marked @Toolset(). The exports are: ${exportList(exports)}.`,
    {
      hint: 'Export the registry your server builds, or the @Toolset() classes (and the ScopeCatalog they use).',
    },
  );
}

/** The same value exported twice (a re-export, or two modules) counts once. */
function unique(found: readonly Found[]): Found[] {
  const seen = new Set<unknown>();
  return found.filter((f) => {
    if (seen.has(f.entry.value)) return false;
    seen.add(f.entry.value);
    return true;
  });
}

function names(found: readonly Found[]): string {
  return found.map((f) => f.entry.name).join(', ');
}

function exportList(exports: readonly ModuleExport[]): string {
  return exports.length === 0 ? '(none)' : exports.map((e) => e.name).join(', ');
}
