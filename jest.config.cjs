// Tests run as CommonJS through SWC; ESM-only dependencies (jose, inversify, oidc-provider, ...)
// are transformed too, since Jest 30 on Node 20 cannot load them natively.
const swc = (syntax) => [
  '@swc/jest',
  {
    jsc: {
      parser: syntax === 'typescript' ? { syntax, decorators: true } : { syntax },
      transform: { legacyDecorator: true, decoratorMetadata: true },
      target: 'es2022',
    },
    module: { type: 'commonjs' },
  },
];

/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/packages', '<rootDir>/examples'],
  testMatch: ['**/test/**/*.test.ts'],
  moduleFileExtensions: ['ts', 'js', 'mjs', 'cjs', 'json'],
  transform: {
    '^.+\\.ts$': swc('typescript'),
    '^.+\\.m?js$': swc('ecmascript'),
  },
  transformIgnorePatterns: [
    'node_modules/(?!(\\.pnpm/)?(jose|inversify|@inversifyjs|oidc-provider|@modelcontextprotocol|quick-lru|nanoid|jsesc|eta|@koa|koa|cookie)[@/+])',
  ],
  moduleNameMapper: {
    '^@valet/adapters/(.*)$': '<rootDir>/packages/adapters/src/$1/index.ts',
    '^@valet/([a-z-]+)$': '<rootDir>/packages/$1/src/index.ts',
    '^(\\.{1,2}/.*)\\.js$': '$1',
  },
  cacheDirectory: '<rootDir>/.jest-cache',
  testTimeout: 30000,
};
