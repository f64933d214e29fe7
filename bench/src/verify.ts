/**
 * Cost of `JwtVerifier.verify` next to raw `jose.jwtVerify` on the same token and key (RS256,
 * ES256, EdDSA), keys local (no network), in the same process and run. A "miss" is a full
 * verification: signature, claims, then (Valet only) audience matching, scope mapping and the
 * frozen Principal. A "hit" is `CachingVerifier.verify` on a token it has verified before.
 * Goals: Valet / raw <= 1.05 for a miss; a hit >= 20x faster than raw (ratio <= 0.05).
 *
 *   pnpm --filter @valet/core build && pnpm --filter ./bench build && pnpm --filter ./bench verify
 */
import { CachingVerifier, JwtVerifier } from '@valet/core';
import {
  createLocalJWKSet,
  exportJWK,
  generateKeyPair,
  jwtVerify,
  SignJWT,
  type CryptoKey,
  type JWK,
} from 'jose';
import { median } from './load.js';

const TURNS = 20_000;
const WARM_UP = 1000;
const ISSUER = 'https://auth.example.com';
const AUDIENCE = 'https://mcp.example.com/mcp';
const ALGORITHMS = ['RS256', 'ES256', 'EdDSA'] as const;

/** One signed token and the key that verifies it. */
export interface Fixture {
  readonly alg: (typeof ALGORITHMS)[number];
  readonly token: string;
  readonly publicKey: CryptoKey;
  readonly jwk: JWK;
}

/** Something that verifies a token; the first subject of a comparison is its baseline. */
export interface Subject {
  readonly name: string;
  readonly verify: (token: string) => Promise<unknown>;
  /** The largest acceptable time ratio to the baseline, when this subject has a goal. */
  readonly goal?: number;
}

/** A measured subject: median microseconds per verification, and its ratio to the baseline. */
export interface Row {
  readonly subject: Subject;
  readonly micros: number;
  readonly ratio: number;
}

/** A token shaped like a real RFC 9068 access token, signed with a fresh key. */
export async function fixture(alg: Fixture['alg']): Promise<Fixture> {
  const { publicKey, privateKey } = await generateKeyPair(alg, { extractable: true });
  const jwk = { ...(await exportJWK(publicKey)), kid: `${alg}-key`, alg, use: 'sig' };
  const token = await new SignJWT({ scope: 'files:read files:write', client_id: 'bench-client' })
    .setProtectedHeader({ alg, kid: jwk.kid, typ: 'at+jwt' })
    .setIssuer(ISSUER)
    .setAudience(AUDIENCE)
    .setSubject('bench-user')
    .setIssuedAt()
    .setExpirationTime('1h')
    .setJti('bench')
    .sign(privateKey);
  return { alg, token, publicKey, jwk };
}

/**
 * Full verifications (cache misses): raw jose with the CryptoKey (the baseline), raw jose over a
 * local JWKS (what JwtVerifier resolves keys with, for reference), then JwtVerifier.
 */
export function missSubjects(f: Fixture): readonly Subject[] {
  const options = { issuer: ISSUER, audience: AUDIENCE, algorithms: [f.alg], requiredClaims: ['exp'] };
  const jwks = createLocalJWKSet({ keys: [f.jwk] });
  const verifier = new JwtVerifier({
    issuer: ISSUER,
    audience: AUDIENCE,
    keys: { keys: [f.jwk] },
    algorithms: [f.alg],
  });
  return [
    { name: 'jose.jwtVerify (key)', verify: (token) => jwtVerify(token, f.publicKey, options) },
    { name: 'jose.jwtVerify (JWKS)', verify: (token) => jwtVerify(token, jwks, options) },
    { name: 'JwtVerifier.verify', verify: (token) => verifier.verify(token), goal: 1.05 },
  ];
}

/** A cache hit next to a full raw verification: raw jose with the CryptoKey (the baseline), then CachingVerifier. */
export function hitSubjects(f: Fixture): readonly Subject[] {
  const options = { issuer: ISSUER, audience: AUDIENCE, algorithms: [f.alg], requiredClaims: ['exp'] };
  const cached = new CachingVerifier(
    new JwtVerifier({ issuer: ISSUER, audience: AUDIENCE, keys: { keys: [f.jwk] }, algorithms: [f.alg] }),
  );
  return [
    { name: 'jose.jwtVerify (key)', verify: (token) => jwtVerify(token, f.publicKey, options) },
    { name: 'CachingVerifier hit', verify: (token) => cached.verify(token), goal: 0.05 },
  ];
}

async function timeOne(subject: Subject, token: string): Promise<number> {
  const start = process.hrtime.bigint();
  await subject.verify(token);
  return Number(process.hrtime.bigint() - start) / 1000;
}

/** Shuffles `order` in place (Fisher-Yates). */
function shuffle(order: number[]): void {
  for (let i = order.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
}

/**
 * Times every subject on `token`, one verification each per turn in a fresh random order, so
 * that load from elsewhere on the machine, and whatever one subject leaves behind for the next
 * (a warm cache, a pending collection), hits all of them alike. Reports each subject's median
 * time per verification and the median of its per-turn ratios to the first subject.
 */
export async function compare(subjects: readonly Subject[], token: string, turns = TURNS): Promise<Row[]> {
  for (const subject of subjects) for (let i = 0; i < WARM_UP; i++) await subject.verify(token);
  const times = subjects.map((): number[] => []);
  const order = subjects.map((_, i) => i);
  for (let turn = 0; turn < turns; turn++) {
    shuffle(order);
    for (const i of order) times[i]!.push(await timeOne(subjects[i]!, token));
  }
  const baseline = times[0]!;
  return subjects.map((subject, i) => ({
    subject,
    micros: median(times[i]!),
    ratio: median(times[i]!.map((time, turn) => time / baseline[turn]!)),
  }));
}

function print(title: string, rows: readonly Row[]): void {
  console.log(title);
  for (const row of rows) {
    const goal = row.subject.goal === undefined ? '' : `   goal <= x${row.subject.goal}`;
    const faster = row.ratio < 1 ? ` (${(1 / row.ratio).toFixed(0)}x faster)` : '';
    console.log(
      `  ${row.subject.name.padEnd(24)} ${row.micros.toFixed(1).padStart(8)} µs/op   x${row.ratio.toFixed(3)}${faster}${goal}`,
    );
  }
}

async function main(): Promise<void> {
  const missed: string[] = [];
  for (const alg of ALGORITHMS) {
    const f = await fixture(alg);
    const rows = await compare(missSubjects(f), f.token);
    print(`${alg} miss (full verification)`, rows);
    const hits = await compare(hitSubjects(f), f.token, TURNS / 4);
    print(`${alg} hit (CachingVerifier)`, hits);
    for (const row of [...rows, ...hits]) {
      if (row.subject.goal !== undefined && row.ratio > row.subject.goal)
        missed.push(`${alg} ${row.subject.name}`);
    }
  }
  console.log(missed.length === 0 ? 'every goal met' : `goals NOT met: ${missed.join(', ')}`);
}

await main();
