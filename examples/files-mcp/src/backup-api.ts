import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { JwtVerifier, type Principal } from '@valet/core';
import { BACKUP_SCOPE } from './backup-tools.js';
import { LIMITS } from './limits.js';

/** One copy the backup API accepted. */
export interface BackupCopy {
  /** The request path: `/files/<path>`. */
  readonly path: string;
  readonly body: Buffer;
  /** The verified token it came with: who the copy is for (`subject`) and who sent it (`claims.act`). */
  readonly principal: Principal;
}

/** A running {@link startBackupApi}. */
export interface BackupApi {
  /** `http://127.0.0.1:<port>`: the audience its tokens must name (`FILES_BACKUP_URL`). */
  readonly url: string;
  /** Every copy accepted, oldest first. */
  readonly received: readonly BackupCopy[];
  close(): Promise<void>;
}

/**
 * A small backup API on 127.0.0.1 (an ephemeral port), for the demo and the tests: it accepts
 * `PUT /files/<path>` with a JWT from `issuer` for its own URL carrying `backup:write`, and records
 * each copy. `issuer` is read at the first request, since in development mode the authorization
 * server starts after this API (the files server needs its URL first). Answers 401 to a missing or
 * invalid token, 403 without `backup:write`, 405 to another method, 404 outside `/files/`, 413 past `LIMITS.maxReadBytes`.
 *
 * @example
 * ```ts
 * const backup = await startBackupApi(() => as.issuer);
 * const config = loadConfig({ ...process.env, FILES_BACKUP_URL: backup.url });
 * ```
 */
export async function startBackupApi(issuer: () => string): Promise<BackupApi> {
  const received: BackupCopy[] = [];
  let url = '';
  let verifier: JwtVerifier | undefined;
  const http = createServer((req, res) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= LIMITS.maxReadBytes) chunks.push(chunk);
    });
    req.on('end', () => {
      const token = /^Bearer (\S+)$/.exec(req.headers.authorization ?? '')?.[1] ?? '';
      (verifier ??= new JwtVerifier({ issuer: issuer(), audience: url })).verify(token).then(
        (principal) => {
          if (!principal.scopes.has(BACKUP_SCOPE)) res.writeHead(403).end();
          else if (req.method !== 'PUT') res.writeHead(405, { allow: 'PUT' }).end();
          else if (!req.url!.startsWith('/files/')) res.writeHead(404).end();
          else if (size > LIMITS.maxReadBytes) res.writeHead(413).end();
          else {
            received.push({ path: req.url!, body: Buffer.concat(chunks), principal });
            res.writeHead(201).end();
          }
        },
        () => res.writeHead(401, { 'www-authenticate': 'Bearer' }).end(),
      );
    });
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
  return {
    url,
    received,
    async close() {
      http.closeAllConnections();
      await new Promise<void>((resolve) => http.close(() => resolve()));
    },
  };
}
