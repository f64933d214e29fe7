import type { DpopKey } from '../dpop-key.js';

/** One token endpoint request of the dev authorization server's convenience methods. */
export interface TokenRequest {
  readonly tokenEndpoint: string;
  readonly form: Readonly<Record<string, string>>;
  readonly clientId: string;
  /** The client secret (client_secret_basic); absent for a public client, which sends `client_id`. */
  readonly clientSecret?: string | undefined;
  /** The key to prove possession of; the token comes back bound to it. */
  readonly dpop?: DpopKey | undefined;
}

/**
 * POSTs a token request and returns the access token. With `dpop`, every attempt carries a fresh
 * proof, an answer `use_dpop_nonce` is retried once with the server's `DPoP-Nonce` (RFC 9449
 * section 8), and the token must come back as `token_type: DPoP`: a Bearer token answering a
 * proof is an error, not a silent downgrade.
 */
export async function requestToken(request: TokenRequest): Promise<string> {
  const { tokenEndpoint, form, clientId, clientSecret, dpop } = request;
  const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded' };
  const body = new URLSearchParams(form);
  if (clientSecret === undefined) body.set('client_id', clientId);
  else
    headers['authorization'] =
      `Basic ${Buffer.from(`${encodeForm(clientId)}:${encodeForm(clientSecret)}`).toString('base64')}`;

  const send = async (nonce?: string) => {
    const attempt = { ...headers };
    if (dpop !== undefined) {
      attempt['dpop'] = await dpop.proof({
        method: 'POST',
        url: tokenEndpoint,
        ...(nonce === undefined ? {} : { nonce }),
      });
    }
    const response = await fetch(tokenEndpoint, { method: 'POST', headers: attempt, body });
    return { response, json: (await response.json()) as Record<string, unknown> };
  };

  let { response, json } = await send();
  const nonce = response.headers.get('dpop-nonce');
  if (dpop !== undefined && json['error'] === 'use_dpop_nonce' && nonce !== null) {
    ({ response, json } = await send(nonce));
  }
  if (!response.ok || typeof json['access_token'] !== 'string') {
    throw new Error(
      `dev authorization server: ${String(json['error'])}: ${String(json['error_description'])}`,
    );
  }
  if (dpop !== undefined && String(json['token_type']).toLowerCase() !== 'dpop') {
    throw new Error(
      `dev authorization server: answered a token request with a DPoP proof with token_type "${String(json['token_type'])}"; the token is not bound to the key.`,
    );
  }
  return json['access_token'];
}

/** RFC 6749 appendix B form encoding, as client_secret_basic requires. */
function encodeForm(value: string): string {
  return new URLSearchParams([['', value]]).toString().slice(1);
}
