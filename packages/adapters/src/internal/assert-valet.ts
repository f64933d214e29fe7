import { OptionsError, type Valet } from '@valet/core';

/** Refuses, at set-up, anything that is not a Valet made by `createValet()`; `who` names the caller. */
export function assertValet(valet: unknown, who: string, field = 'valet'): asserts valet is Valet {
  const candidate = valet as Partial<Valet> | undefined;
  if (typeof candidate?.admit !== 'function' || typeof candidate.errorResponse !== 'function') {
    throw new OptionsError(field, `${who} needs a Valet made by createValet().`);
  }
}
