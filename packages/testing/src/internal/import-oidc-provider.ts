import type * as OidcProviderModule from 'oidc-provider';

/** Set on `globalThis` once the Node 20 notice is printed, so test runners that reload modules print it once. */
const NODE_20_NOTICE = Symbol.for('valet.testing.node20-notice');

/**
 * oidc-provider warns "Unsupported runtime" on every import under Node 20 (it asks for 22+), which
 * a test runner repeats per file. Valet tests the development server on Node 20, so the warning is
 * replaced by one notice per process saying so.
 */
export async function importOidcProvider(): Promise<typeof OidcProviderModule> {
  const major = Number(process.versions.node.split('.')[0]);
  if (major >= 22) return import('oidc-provider');
  const warn = console.warn;
  console.warn = (...args: unknown[]) => {
    if (typeof args[0] === 'string' && args[0].includes('oidc-provider WARNING: Unsupported runtime')) return;
    warn(...args);
  };
  try {
    return await import('oidc-provider');
  } finally {
    console.warn = warn;
    const flags = globalThis as { [NODE_20_NOTICE]?: boolean };
    if (flags[NODE_20_NOTICE] !== true) {
      flags[NODE_20_NOTICE] = true;
      console.info(
        `Note: the development authorization server runs oidc-provider, which asks for Node 22 or later; ` +
          `Valet tests it on Node ${process.versions.node} too. Use Node 22 or 24 in production.`,
      );
    }
  }
}
