import { constants } from 'node:fs';
import { open } from 'node:fs/promises';

// O_NOFOLLOW: the path was resolved already, so a link here was swapped in since; refuse it.
// O_NONBLOCK: opening a FIFO must not hang the server; it is refused below as not a regular file.
const READ_FLAGS = constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK;

/**
 * The first `maxBytes` bytes of a regular file and its whole size, or `undefined` when the path
 * is a directory, a device, a FIFO or a socket. File system errors (`ENOENT`, `ELOOP`, ...) are
 * thrown as they come.
 */
export async function readRegularFile(
  absolute: string,
  maxBytes: number,
): Promise<{ readonly data: Buffer; readonly size: number } | undefined> {
  const handle = await open(absolute, READ_FLAGS);
  try {
    const stats = await handle.stat();
    if (!stats.isFile()) return undefined;
    const length = Math.min(stats.size, maxBytes);
    const data = Buffer.alloc(length);
    let filled = 0;
    while (filled < length) {
      const { bytesRead } = await handle.read(data, filled, length - filled, filled);
      if (bytesRead === 0) break;
      filled += bytesRead;
    }
    return { data: data.subarray(0, filled), size: stats.size };
  } finally {
    await handle.close();
  }
}
