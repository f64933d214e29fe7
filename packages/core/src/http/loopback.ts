/**
 * True for host names that can only reach this machine: `localhost` (and `*.localhost`),
 * 127.0.0.0/8 and `::1`. The MCP authorization spec allows plain `http:` only there; Valet
 * refuses other `http:` issuer, JWKS and introspection URLs with it.
 *
 * @example
 * ```ts
 * isLoopbackHost(new URL('http://127.0.0.1:3000/mcp').hostname); // true
 * isLoopbackHost('files.example.com');                           // false
 * ```
 */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.toLowerCase();
  return (
    host === 'localhost' ||
    host.endsWith('.localhost') ||
    host === '[::1]' ||
    host === '::1' ||
    /^127(?:\.\d{1,3}){3}$/.test(host)
  );
}
