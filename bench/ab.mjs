// A/B of two builds of the full module in one Node process: alternating
// batches of SAML validation, the minimum and quartiles per build. For a
// machine shared with other work, where one build's median against another
// run's median says little; interference only ever adds time, so the minimum
// of many alternating batches is the fairer comparison.
//
//   node bench/ab.mjs <pkg-dir-A> <pkg-dir-B> [rounds=30] [assertionSigned|responseSigned]
//
// Each pkg dir is a built package's `pkg/` (from `npm run build`, and a copy
// of it made from another commit), loaded by its index.js. The responses are signed by xml-crypto with a
// throwaway key, as in `npm run bench`.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ACS_URL, IDP_ENTITY_ID, IDP_SSO_URL, SP_ENTITY_ID, createIdpKey, generateResponses } from './saml-inputs.mjs';

const [dirA, dirB, roundsArg = '30', variant = 'assertionSigned'] = process.argv.slice(2);
if (!dirA || !dirB) {
  console.error('usage: node bench/ab.mjs <pkg-dir-A> <pkg-dir-B> [rounds] [assertionSigned|responseSigned]');
  process.exit(2);
}
const BATCH = 100;
const rounds = Number(roundsArg);

// The package's entry (index.js, which compiles its inlined module at
// import): the public API is JavaScript over the module's raw exports.
const load = (dir) => import(pathToFileURL(join(resolve(dir), 'index.js')).href);
// Two copies of the same glue must not share module state: a second import of
// the same URL would return the first, so a path outside the first is needed.
const builds = [await load(dirA), await load(dirB)];

const keyDir = mkdtempSync(join(tmpdir(), 'edge-sso-ab-'));
const inputs = generateResponses(createIdpKey(keyDir), BATCH);
rmSync(keyDir, { recursive: true, force: true });
const responses = inputs.responses[variant];
if (!responses) throw new Error(`unknown variant ${variant}`);

const times = builds.map(() => []);
for (let r = 0; r <= rounds; r++) {
  builds.forEach((m, k) => {
    const sp = new m.SamlServiceProvider({ entityId: SP_ENTITY_ID, acsUrl: ACS_URL,
      idp: { entityId: IDP_ENTITY_ID, ssoRedirectUrl: IDP_SSO_URL, certificates: [inputs.cert] } });
    const t0 = performance.now();
    responses.forEach((b64, i) => sp.validateResponse(b64, { expectedRequestId: `_req${i}`, now: inputs.nowMs }));
    const perOp = ((performance.now() - t0) * 1000) / responses.length;
    sp.free();
    if (r > 0) times[k].push(perOp); // round 0 warms both up
  });
}
const q = (t, f) => t[Math.min(t.length - 1, Math.floor(t.length * f))].toFixed(1);
[dirA, dirB].forEach((dir, k) => {
  const t = times[k].sort((a, b) => a - b);
  console.log(`${dir.padEnd(24)} µs/validation  min ${q(t, 0)}  p25 ${q(t, 0.25)}  median ${q(t, 0.5)}  (${variant}, ${rounds}×${BATCH})`);
});
