import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createTestIssuer, type TestIssuer } from '@valet/testing';
import fc from 'fast-check';
import { base64url } from 'jose';
import { hasCanonicalSignature } from '../../src/verify/jwt/canonical-signature.js';
import { JwtVerifier } from '../../src/verify/jwt-verifier.js';
import { expectRefusedWithoutEcho } from '../support/errors.js';

const AUDIENCE = 'https://mcp.example.com/mcp';
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.=+/ \n\u0000é';

let issuer: TestIssuer;
let verifier: JwtVerifier;
let valid: readonly string[];

beforeAll(async () => {
  issuer = await createTestIssuer({ audience: AUDIENCE, algorithms: ['ES256', 'EdDSA'] });
  verifier = new JwtVerifier({ issuer: issuer.url, audience: AUDIENCE, jwksUri: issuer.jwksUri });
  valid = await Promise.all([
    issuer.mint({ scopes: ['files:read'] }),
    issuer.mint({ alg: 'ES256' }),
    issuer.mint({ alg: 'EdDSA' }),
  ]);
  await verifier.verify(valid[0]!);
});
afterAll(() => issuer.close());

const char = fc.constantFrom(...ALPHABET);

/** One edit of a token: replace, delete or insert a character, or reshuffle its segments. */
const mutation = (token: string): fc.Arbitrary<string> => {
  const index = fc.nat({ max: token.length - 1 });
  const segments = token.split('.');
  return fc.oneof(
    fc.tuple(index, char).map(([i, c]) => token.slice(0, i) + c + token.slice(i + 1)),
    index.map((i) => token.slice(0, i) + token.slice(i + 1)),
    fc.tuple(index, char).map(([i, c]) => token.slice(0, i) + c + token.slice(i)),
    fc.nat({ max: 2 }).map((i) => segments.filter((_, j) => j !== i).join('.')),
    fc
      .nat({ max: 2 })
      .map((i) => [...segments.slice(0, i + 1), segments[i], ...segments.slice(i + 1)].join('.')),
    fc.tuple(fc.nat({ max: 2 }), fc.nat({ max: 2 })).map(([i, j]) => {
      const swapped = [...segments];
      [swapped[i], swapped[j]] = [swapped[j]!, swapped[i]!];
      return swapped.join('.');
    }),
    fc.string({ maxLength: 20 }).map((suffix) => `${token}${suffix}`),
  );
};

/** Decodes a JSON segment and re-encodes it differently (spacing, an extra member, a changed one). */
const reencoded = (token: string): fc.Arbitrary<string> => {
  const segments = token.split('.');
  return fc
    .tuple(fc.nat({ max: 1 }), fc.constantFrom('space', 'extra', 'alg', 'scope'))
    .map(([which, how]) => {
      const json = JSON.parse(new TextDecoder().decode(base64url.decode(segments[which]!))) as Record<
        string,
        unknown
      >;
      const text =
        how === 'space'
          ? JSON.stringify(json, null, 1)
          : JSON.stringify({
              ...json,
              ...(how === 'extra' ? { x: 1 } : how === 'alg' ? { alg: 'HS256' } : { scope: 'admin' }),
            });
      const copy = [...segments];
      copy[which] = base64url.encode(text);
      return copy.join('.');
    });
};

describe('Fuzzing: mutated valid tokens', () => {
  it('accepts a mutation only when it is the original token', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...[0, 1, 2]).chain((i) => fc.tuple(fc.constant(valid[i]!), mutation(valid[i]!))),
        async ([original, mutated]) => {
          if (mutated === original) await expect(verifier.verify(mutated)).resolves.toBeDefined();
          else await expectRefusedWithoutEcho(verifier, mutated);
        },
      ),
      { numRuns: 400 },
    );
  });

  it('refuses every re-encoding of the header or payload', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...[0, 1, 2]).chain((i) => reencoded(valid[i]!)),
        async (token) => {
          await expectRefusedWithoutEcho(verifier, token);
        },
      ),
      { numRuns: 60 },
    );
  });
});

describe('Fuzzing: garbage', () => {
  it('refuses random strings with an InvalidTokenError', async () => {
    await fc.assert(
      fc.asyncProperty(fc.string({ maxLength: 200, unit: 'grapheme' }), async (token) => {
        await expectRefusedWithoutEcho(verifier, token);
      }),
      { numRuns: 300 },
    );
  });

  it('refuses random dotted base64url strings', async () => {
    const segment = fc.string({ unit: fc.constantFrom(...ALPHABET.slice(0, 64)), maxLength: 120 });
    await fc.assert(
      fc.asyncProperty(fc.array(segment, { minLength: 1, maxLength: 6 }), async (segments) => {
        await expectRefusedWithoutEcho(verifier, segments.join('.'));
      }),
      { numRuns: 300 },
    );
  });

  it('refuses random JSON headers and payloads with random signatures', async () => {
    const json = fc
      .jsonValue({ maxDepth: 2 })
      .map((value) => base64url.encode(JSON.stringify(value) ?? 'null'));
    const header = fc
      .record({
        alg: fc.constantFrom('RS256', 'ES256', 'EdDSA', 'none', 'HS256'),
        kid: fc.constant(issuer?.kid ?? ''),
      })
      .map((value) => base64url.encode(JSON.stringify(value)));
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(header, json),
        json,
        fc.uint8Array({ maxLength: 80 }),
        async (h, p, signature) => {
          await expectRefusedWithoutEcho(verifier, `${h}.${p}.${base64url.encode(signature)}`);
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe('Fuzzing: signature spelling', () => {
  const decodes = (text: string, bytes: Uint8Array): boolean => {
    try {
      return Buffer.from(base64url.decode(text)).equals(bytes);
    } catch {
      return false;
    }
  };

  it("accepts jose's encoding and refuses every other spelling jose decodes to the same bytes", () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 100 }), (bytes) => {
        const encoded = base64url.encode(bytes);
        expect(hasCanonicalSignature(`h.p.${encoded}`, bytes.length)).toBe(true);
        for (const c of ALPHABET) {
          const respelled = encoded.slice(0, -1) + c;
          if (respelled !== encoded && decodes(respelled, bytes)) {
            expect(hasCanonicalSignature(`h.p.${respelled}`, bytes.length)).toBe(false);
          }
        }
        for (const respelled of [
          `${encoded}=`,
          `${encoded}==`,
          ` ${encoded}`,
          `${encoded} `,
          `${encoded.slice(0, 1)}\n${encoded.slice(1)}`,
          `${encoded.slice(0, -1)}\t${encoded.slice(-1)}`,
        ]) {
          if (decodes(respelled, bytes))
            expect(hasCanonicalSignature(`h.p.${respelled}`, bytes.length)).toBe(false);
        }
      }),
      { numRuns: 300 },
    );
  });
});
