import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createConnection } from 'node:net';
import { startRedis, type RedisServer } from '../src/redis-server.js';

/** The first line Redis answers to `command`, or the connection error's code. */
function ask(port: number, command: string): Promise<string> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    let reply = '';
    socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
    socket.once('connect', () => socket.write(`${command}\r\n`));
    socket.on('data', (chunk) => {
      reply += chunk.toString();
      if (reply.includes('\r\n')) {
        socket.destroy();
        resolve(reply.split('\r\n')[0]!);
      }
    });
  });
}

describe('startRedis', () => {
  let redis: RedisServer;
  beforeAll(async () => {
    redis = await startRedis();
  });
  afterAll(() => redis.stop());

  it('serves on 127.0.0.1 at a free port, without persistence', async () => {
    expect(redis.url).toBe(`redis://127.0.0.1:${redis.port}`);
    expect(await ask(redis.port, 'PING')).toBe('+PONG');
    expect(await ask(redis.port, 'CONFIG GET appendonly')).toBe('*2');
  });

  it('stops, refusing connections, and restarts empty on the same port', async () => {
    expect(await ask(redis.port, 'SET k v')).toBe('+OK');
    await redis.stop();
    expect(await ask(redis.port, 'PING')).toBe('ECONNREFUSED');
    await redis.restart();
    expect(await ask(redis.port, 'PING')).toBe('+PONG');
    expect(await ask(redis.port, 'GET k')).toBe('$-1');
  });

  it('starts two servers side by side', async () => {
    const other = await startRedis();
    try {
      expect(other.port).not.toBe(redis.port);
      expect(await ask(other.port, 'PING')).toBe('+PONG');
    } finally {
      await other.stop();
    }
  });

  it('names the package to install when redis-server is missing', async () => {
    await expect(startRedis({ binary: '/nonexistent/redis-server' })).rejects.toThrow(
      /apt-get install -y redis-server/,
    );
  });
});
