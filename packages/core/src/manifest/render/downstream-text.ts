import type { ManifestDownstream } from '../manifest.js';

/** `https://backup.example.com (backup:write); api://audit (audit:append)`, or `''` for none. */
export function downstreamText(needs: readonly ManifestDownstream[] | undefined): string {
  return (needs ?? []).map((need) => `${need.audience} (${need.scopes.join(' ')})`).join('; ');
}
