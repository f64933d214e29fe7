export * from './valet-fastify.js';
