import type { Valet } from '@valet/core';
import { valetFastify } from '@valet/adapters/fastify';
import Fastify, { type FastifyInstance } from 'fastify';

/** A Fastify instance with the Valet plugin registered, ready for routes. */
export async function fastifyWithValet(valet: Valet): Promise<FastifyInstance> {
  const app = Fastify();
  await app.register(valetFastify, { valet });
  return app;
}
