import type { IncomingMessage } from 'node:http';

/** A request body: text to parse, a value a body parser already produced, or too large to read. */
export type RequestBody =
  | { readonly kind: 'text'; readonly text: string }
  | { readonly kind: 'parsed'; readonly value: unknown }
  | { readonly kind: 'too-large' };

const TOO_LARGE: RequestBody = Object.freeze({ kind: 'too-large' });

/**
 * Reads the body of `req`, at most `maxBytes` (a declared `Content-Length` over the limit is
 * refused before reading anything). When a framework's body parser ran first (Express'
 * `express.json()`), the stream is already consumed and its result is used instead.
 */
export async function readRequestBody(req: IncomingMessage, maxBytes: number): Promise<RequestBody> {
  if (req.readableEnded) return alreadyRead((req as { body?: unknown }).body);
  const declared = Number(req.headers['content-length']);
  if (declared > maxBytes) return TOO_LARGE;
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let received = 0;
    const onData = (chunk: Buffer): void => {
      received += chunk.length;
      if (received <= maxBytes) {
        chunks.push(chunk);
        return;
      }
      // Stop reading (without destroying the socket, so the 413 can still be sent).
      req.off('data', onData).off('end', onEnd).off('error', reject);
      req.pause();
      resolve(TOO_LARGE);
    };
    const onEnd = (): void =>
      resolve({ kind: 'text', text: Buffer.concat(chunks, received).toString('utf8') });
    req.on('data', onData).once('end', onEnd).once('error', reject);
  });
}

function alreadyRead(body: unknown): RequestBody {
  if (body === undefined) return { kind: 'text', text: '' };
  if (typeof body === 'string') return { kind: 'text', text: body };
  if (Buffer.isBuffer(body)) return { kind: 'text', text: body.toString('utf8') };
  return { kind: 'parsed', value: body };
}
