import type { Adapter, AdapterPayload } from 'oidc-provider';

/** Models whose records belong to a grant and die with it (`revokeByGrantId`). */
const GRANTABLE = new Set([
  'AccessToken',
  'AuthorizationCode',
  'RefreshToken',
  'DeviceCode',
  'BackchannelAuthenticationRequest',
]);

/**
 * oidc-provider storage in a Map owned by one server: nothing is shared between servers in
 * one process (oidc-provider's own development adapter keeps one global store of 1000
 * records), and records expire when oidc-provider says they do.
 */
export function memoryAdapter(): (model: string) => Adapter {
  const records = new Map<string, { readonly payload: AdapterPayload; readonly expiresAt: number }>();
  const lookups = new Map<string, string>();
  const grants = new Map<string, Set<string>>();

  const read = (key: string): AdapterPayload | undefined => {
    const record = records.get(key);
    if (record === undefined) return undefined;
    if (record.expiresAt > Date.now()) return record.payload;
    records.delete(key);
    return undefined;
  };

  return (model) => {
    const keyOf = (id: string) => `${model}:${id}`;
    const byLookup = (lookup: string) => {
      const id = lookups.get(lookup);
      return id === undefined ? undefined : read(keyOf(id));
    };
    return {
      async upsert(id, payload, expiresIn) {
        const key = keyOf(id);
        const expiresAt = typeof expiresIn === 'number' ? Date.now() + expiresIn * 1000 : Infinity;
        records.set(key, { payload, expiresAt });
        if (model === 'Session' && payload.uid !== undefined) lookups.set(`uid:${payload.uid}`, id);
        if (payload.userCode !== undefined) lookups.set(`userCode:${payload.userCode}`, id);
        if (GRANTABLE.has(model) && payload.grantId !== undefined) {
          const members = grants.get(payload.grantId) ?? new Set();
          grants.set(payload.grantId, members.add(key));
        }
      },
      async find(id) {
        return read(keyOf(id));
      },
      async findByUid(uid) {
        return byLookup(`uid:${uid}`);
      },
      async findByUserCode(userCode) {
        return byLookup(`userCode:${userCode}`);
      },
      async consume(id) {
        const payload = read(keyOf(id));
        if (payload !== undefined) payload.consumed = Math.floor(Date.now() / 1000);
      },
      async destroy(id) {
        records.delete(keyOf(id));
      },
      async revokeByGrantId(grantId) {
        for (const key of grants.get(grantId) ?? []) records.delete(key);
        grants.delete(grantId);
      },
    };
  };
}
