import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { parseHost, parseOrigin } from '../../../src/http/syntax/origin.js';

describe('parseOrigin', () => {
  it.each([
    ['https://app.example.com', 'https://app.example.com'],
    ['HTTPS://App.Example.COM', 'https://app.example.com'],
    ['https://app.example.com:443', 'https://app.example.com'],
    ['http://localhost:80', 'http://localhost'],
    ['http://localhost:0443', 'http://localhost:443'],
    ['http://[::1]:3000', 'http://[::1]:3000'],
    ['http://127.0.0.1:5173', 'http://127.0.0.1:5173'],
    ['chrome-extension://abcdef', 'chrome-extension://abcdef'],
  ])('normalises %s to %s', (value, origin) => {
    expect(parseOrigin(value)?.origin).toBe(origin);
  });

  it.each([
    'null',
    '',
    'https://',
    'https://app.example.com/',
    'https://app.example.com/path',
    'https://app.example.com?x',
    'https://app.example.com#x',
    'https://user@app.example.com',
    'https://app.example.com:',
    'https://app.example.com:65536',
    'https://a.example, https://b.example',
    'https://a.example https://b.example',
    ' https://app.example.com',
    'https://app.example.com\r\nX-Injected: 1',
    'http://::1:3000',
    'file:///etc/passwd',
    '//app.example.com',
  ])('refuses %j', (value) => {
    expect(parseOrigin(value)).toBeUndefined();
  });

  it('never accepts a value with a path, a comma or whitespace', () => {
    fc.assert(
      fc.property(fc.string(), (value) => {
        const parsed = parseOrigin(value);
        if (parsed !== undefined) expect(/[/?#@,\s]/.test(value.slice(value.indexOf('://') + 3))).toBe(false);
      }),
    );
  });
});

describe('parseHost', () => {
  it.each([
    ['files.example.com', 'files.example.com', ''],
    ['Files.Example.com:8080', 'files.example.com:8080', '8080'],
    ['127.0.0.1:03000', '127.0.0.1:3000', '3000'],
    ['[::1]:3000', '[::1]:3000', '3000'],
    ['[::1]', '[::1]', ''],
  ])('normalises %s', (value, host, port) => {
    expect(parseHost(value)).toMatchObject({ host, port });
  });

  it.each([
    '',
    'http://files.example.com',
    'files.example.com/',
    'user@files.example.com',
    'files.example.com:70000',
    'a.example, b.example',
    '::1',
    'files.example.com:',
  ])('refuses %j', (value) => {
    expect(parseHost(value)).toBeUndefined();
  });
});
