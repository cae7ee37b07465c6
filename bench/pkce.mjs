// Benchmark 3: one PKCE pair (verifier + S256 challenge) and one `state`,
// used as each API is meant to be used: the async ones awaited per call,
// since that per-op overhead is part of their cost.
//   edge-sso       createPkce() + randomState() (sync; 64-char verifier)
//   oauth4webapi   generateRandomCodeVerifier() + await calculatePKCECodeChallenge()
//                  + generateRandomState() (43-char verifier)
//   baseline       crypto.getRandomValues + await crypto.subtle.digest, base64url
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import { createPkce, randomState } from 'edge-sso';
import * as oauth from 'oauth4webapi';
import { timeBatches } from './timing.mjs';

const require = createRequire(import.meta.url);
const BATCH = 1000;

const b64u = (bytes) => Buffer.from(bytes).toString('base64url');
const randomB64u = (n) => b64u(crypto.getRandomValues(new Uint8Array(n)));

function edgeSsoPair() {
  const { codeVerifier, codeChallenge } = createPkce();
  return { codeVerifier, codeChallenge, state: randomState() };
}

async function oauth4webapiPair() {
  const codeVerifier = oauth.generateRandomCodeVerifier();
  const codeChallenge = await oauth.calculatePKCECodeChallenge(codeVerifier);
  return { codeVerifier, codeChallenge, state: oauth.generateRandomState() };
}

async function webCryptoPair() {
  const codeVerifier = randomB64u(32);
  const codeChallenge = b64u(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(codeVerifier)));
  return { codeVerifier, codeChallenge, state: randomB64u(32) };
}

const GENERATORS = [
  { id: 'edge-sso', name: 'edge-sso (wasm)', pair: edgeSsoPair, run: () => { for (let i = 0; i < BATCH; i++) edgeSsoPair(); } },
  {
    id: 'oauth4webapi',
    name: `oauth4webapi ${require('oauth4webapi/package.json').version}`,
    pair: oauth4webapiPair,
    run: async () => { for (let i = 0; i < BATCH; i++) await oauth4webapiPair(); },
  },
  { id: 'baseline', name: 'baseline (WebCrypto)', pair: webCryptoPair, run: async () => { for (let i = 0; i < BATCH; i++) await webCryptoPair(); } },
];

/** The challenge must be the S256 of the verifier (RFC 7636 §4.2), state non-trivial. */
function checkPair(name, { codeVerifier, codeChallenge, state }) {
  const expected = createHash('sha256').update(codeVerifier).digest('base64url');
  if (codeChallenge !== expected || !/^[A-Za-z0-9_-]{43,}$/.test(state)) throw new Error(`${name}: bad PKCE pair or state`);
  return codeVerifier.length;
}

/** Timings and verifier lengths, keyed by implementation id (edge-sso first). */
export async function benchPkce({ budget }) {
  const timings = {};
  const verifierLength = {};
  for (const g of GENERATORS) {
    console.error(`[bench] PKCE: ${g.name}`);
    verifierLength[g.id] = checkPair(g.name, await g.pair());
    const timing = await timeBatches({ prepare: () => null, run: g.run, opsPerBatch: BATCH, ...budget.fast });
    timings[g.id] = { implementation: g.name, ...timing };
  }
  return { timings, verifierLength };
}
