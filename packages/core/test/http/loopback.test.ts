import { describe, expect, it } from '@jest/globals';
import { isLoopbackHost } from '../../src/http/loopback.js';

describe('isLoopbackHost', () => {
  it.each(['localhost', 'LOCALHOST', 'files.localhost', '127.0.0.1', '127.1.2.3', '[::1]', '::1'])(
    'accepts %s',
    (host) => expect(isLoopbackHost(host)).toBe(true),
  );

  it.each([
    'files.example.com',
    'localhost.example.com',
    '128.0.0.1',
    '127.0.0',
    '127.0.0.1.example.com',
    '0.0.0.0',
    '[::2]',
    '',
  ])('refuses %s', (host) => expect(isLoopbackHost(host)).toBe(false));
});
