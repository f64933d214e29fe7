import { createServer, type AddressInfo } from 'node:net';

/** A loopback port that was free a moment ago: the resource URL names its port, so it is chosen before listening. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}
