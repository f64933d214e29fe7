import type { Principal } from '@valet/core';
import type { DownstreamDeclaration } from '@valet/decorators';
import { downstreamContext, type DownstreamContext } from '../../internal/downstream-context.js';
import {
  exchangeNeeds,
  grantOf,
  isConsentRefusal,
  noTokenMessage,
  stepUpRefusal,
  type Grant,
  type TokenExchanger,
} from '../../internal/downstream-grants.js';
import type { AuthInfo } from '@modelcontextprotocol/sdk/server/auth/types.js';

/** What a call of an operation that acts downstream gets: its context helper, or the sentence to refuse with. */
export type DownstreamOutcome =
  | { readonly ok: true; readonly downstream: DownstreamContext | undefined }
  | { readonly ok: false; readonly message: string };

/** What {@link downstreamFor} needs to know about the call. */
export interface DownstreamCall {
  readonly id: string;
  /** `Tool "backup"`. */
  readonly label: string;
  readonly needs: readonly DownstreamDeclaration[];
  readonly principal: Principal | null;
  readonly authInfo: AuthInfo | undefined;
  readonly exchanger: TokenExchanger | undefined;
  /** The operation's own required scopes: the step-up default. */
  readonly required: () => Promise<readonly string[]>;
}

/**
 * The downstream tokens of a call, before its method runs: those the HTTP admission obtained, or
 * (stdio, in memory) exchanged here with the binding's exchanger. A refusal for want of consent
 * here, where no HTTP answer is left to give, is a message naming the step-up scope; any other
 * failure a message without internals.
 */
export async function downstreamFor(call: DownstreamCall): Promise<DownstreamOutcome> {
  const { id, label, needs, principal } = call;
  if (needs.length === 0) return { ok: true, downstream: undefined };
  let grant: Grant | undefined = grantOf(call.authInfo, id);
  if (grant === undefined && call.exchanger !== undefined) {
    grant = await exchangeNeeds(call.exchanger, principal, needs);
  }
  if (grant === undefined) return { ok: false, message: noTokenMessage(label) };
  if (grant.ok) return { ok: true, downstream: downstreamContext(label, needs, grant.tokens) };
  if (isConsentRefusal(grant.error)) {
    return {
      ok: false,
      message: stepUpRefusal(label, id, needs, grant.error, await call.required()).message,
    };
  }
  return { ok: false, message: noTokenMessage(label) };
}
