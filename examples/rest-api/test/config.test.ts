import { describe, expect, it } from '@jest/globals';
import { OptionsError } from '@valet/core';
import { loadConfig } from '../src/config.js';

describe('loadConfig', () => {
  it('serves Express on port 3001 when no framework is named', () => {
    expect(loadConfig([], {})).toEqual({
      framework: 'express',
      resource: 'http://127.0.0.1:3001',
      issuer: undefined,
      host: '127.0.0.1',
      port: 3001,
    });
  });

  it('serves Fastify on port 3002 when the first argument is fastify', () => {
    expect(loadConfig(['fastify'], {})).toMatchObject({ framework: 'fastify', port: 3002 });
    expect(loadConfig(['fastify'], { PORT: '8080' })).toMatchObject({ framework: 'fastify', port: 8080 });
  });

  it('refuses an unknown framework, naming the argument', () => {
    expect(() => loadConfig(['koa'], {})).toThrow(OptionsError);
    expect(() => loadConfig(['koa'], {})).toThrow(/express or fastify/);
  });

  it('refuses VALET_ISSUER without VALET_AUDIENCE and a port out of range', () => {
    expect(() => loadConfig([], { VALET_ISSUER: 'https://idp.example.test' })).toThrow(/VALET_AUDIENCE/);
    expect(() => loadConfig([], { PORT: '70000' })).toThrow(/PORT/);
  });
});
