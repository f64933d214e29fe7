/** RFC 6749 appendix B: application/x-www-form-urlencoded, as client_secret_basic requires. */
function formEncode(value: string): string {
  return new URLSearchParams([['', value]]).toString().slice(1);
}

/**
 * The `Authorization` value of `client_secret_basic` (RFC 6749 section 2.3.1): id and secret
 * form-encoded before base64, as the RFC requires and servers decode.
 */
export function clientSecretBasic(clientId: string, clientSecret: string): string {
  return `Basic ${Buffer.from(`${formEncode(clientId)}:${formEncode(clientSecret)}`, 'utf8').toString('base64')}`;
}
