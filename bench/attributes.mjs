// Attribute collection scaling: µs per attribute when validating a signed
// assertion with 100 and with 10,000 distinct attribute names
// (tests/fixtures/distinct/attrs-*.xml). Linear collection keeps the ratio
// near 1; the old search per attribute made it grow with the count.
import { readFileSync } from 'node:fs';
import { SamlServiceProvider } from 'edge-sso';
import { timeBatches } from './timing.mjs';

export async function benchAttributes({ root, budget }) {
  const dir = `${root}/tests/fixtures/distinct`;
  const responses = JSON.parse(readFileSync(`${root}/tests/fixtures/responses/manifest.json`, 'utf8'));
  const cert = readFileSync(`${dir}/idp.pem`, 'utf8');
  const perAttributeUs = {};
  for (const n of [100, 10_000]) {
    const input = Buffer.from(readFileSync(`${dir}/attrs-${n}.xml`, 'utf8')).toString('base64');
    const ops = n === 100 ? 20 : 1;
    const t = await timeBatches({
      prepare: () => Array.from({ length: ops }, () => new SamlServiceProvider({
        entityId: responses.sp.entityId, acsUrl: responses.sp.acsUrl,
        idp: { entityId: responses.idpEntityId, ssoRedirectUrl: 'https://idp.example/sso', certificates: cert },
      })),
      run: (sps) => { for (const sp of sps) sp.validateResponse(input, { now: responses.nowMs, expectedRequestId: `_qs${n}` }); },
      opsPerBatch: ops, minBatches: 5, maxBatches: 200, budgetMs: budget,
    });
    perAttributeUs[n] = t.medianUs / n;
  }
  return { perAttributeUs, ratio: perAttributeUs[10_000] / perAttributeUs[100] };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const r = await benchAttributes({ root: new URL('..', import.meta.url).pathname, budget: 2000 });
  console.log(`µs per attribute: 100 names ${r.perAttributeUs[100].toFixed(3)}, 10,000 names ${r.perAttributeUs[10_000].toFixed(3)}; ratio ${r.ratio.toFixed(2)}`);
}
