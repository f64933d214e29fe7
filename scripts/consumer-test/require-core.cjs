// A CommonJS consumer: require() loads the ESM builds (Node 20.19+, require(esm)).
/* global console */
const assert = require('node:assert/strict');
const { PolicyRegistry, defineScopes, describePolicy, allOf } = require('@valet/core');
const { valetExpress } = require('@valet/adapters/express');

const scopes = defineScopes({ 'notes:read': { description: 'Read notes' } });
const registry = new PolicyRegistry({ catalog: scopes });
assert.equal(typeof registry.freeze, 'function');
assert.equal(typeof valetExpress, 'function');
assert.match(describePolicy(allOf('notes:read')), /notes:read/);
console.log('require(@valet/core) ok');
