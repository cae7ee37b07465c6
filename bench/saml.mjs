// Benchmark 1: SAML Response validation, edge-sso against node-saml and
// samlify on the same freshly signed inputs, plus the native Rust harness.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import {
  ACS_URL, IDP_ENTITY_ID, SP_ENTITY_ID, VARIANTS,
  createIdpKey, exportInputs, generateResponses, signedResponse, tamper,
} from './saml-inputs.mjs';
import { VALIDATORS } from './saml-validators.mjs';
import { timeBatches } from './timing.mjs';

const NATIVE_EXAMPLE = 'examples/bench_native.rs';
const instant = (ms) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
const HOUR_MS = 3600_000;

/**
 * One wrong field per probe, signed like the real inputs. A validator that
 * accepts the result does not do that check; edge-sso must refuse all.
 * `replay` validates the same good response twice on one instance.
 */
const PROBES = [
  { check: 'Destination', mutate: (x) => x.replace(`Destination="${ACS_URL}"`, 'Destination="https://evil.example/acs"') },
  { check: 'Issuer', mutate: (x) => x.replaceAll(`<saml:Issuer>${IDP_ENTITY_ID}`, '<saml:Issuer>https://evil.example') },
  { check: 'Audience', mutate: (x) => x.replace(`<saml:Audience>${SP_ENTITY_ID}`, '<saml:Audience>https://other-sp.example') },
  { check: 'InResponseTo', mutate: (x) => x.replaceAll('InResponseTo="_req0"', 'InResponseTo="_never-sent"') },
  { check: 'Recipient', mutate: (x) => x.replace(`Recipient="${ACS_URL}"`, 'Recipient="https://evil.example/acs"') },
  { check: 'SubjectConfirmationData NotOnOrAfter', mutate: (x) => x.replace(/(SubjectConfirmationData[^>]*NotOnOrAfter=")[^"]+/, `$1${instant(Date.now() - HOUR_MS)}`) },
  { check: 'SubjectConfirmation Method bearer', mutate: (x) => x.replace('cm:bearer', 'cm:holder-of-key') },
  { check: 'Conditions NotOnOrAfter', mutate: (x) => x.replace(/(<saml:Conditions[^>]*NotOnOrAfter=")[^"]+/, `$1${instant(Date.now() - HOUR_MS)}`) },
  { check: 'Status Success', mutate: (x) => x.replace('status:Success', 'status:Requester') },
  { check: 'SessionNotOnOrAfter', mutate: (x) => x.replace(/SessionNotOnOrAfter="[^"]+"/, `SessionNotOnOrAfter="${instant(Date.now() - HOUR_MS)}"`) },
  { check: 'replay (same response twice)', replay: true },
];

/** Whether `validate` resolves; never throws. */
async function accepts(validate) {
  try { await validate(); return true; } catch { return false; }
}

const errorText = (e) => (e.code ? `${e.code}: ` : '') + String(e.message ?? e).split('\n')[0];

/**
 * Before timing anything: each validator must accept response 0 (its NameID
 * is reported) and refuse a tampered response 1.
 */
async function verifyValidators(inputs) {
  const results = [];
  for (const variant of VARIANTS) {
    for (const v of VALIDATORS) {
      const setup = { variant, cert: inputs.cert, count: inputs.count };
      const responses = inputs.responses[variant.key];
      const nameId = await (await v.prepare(setup)).validate(responses[0], 0);
      let rejection = null;
      try {
        await (await v.prepare(setup)).validate(tamper(responses[1]), 1);
      } catch (e) {
        rejection = errorText(e);
      }
      if (rejection === null) throw new Error(`${v.name} accepted a tampered response (${variant.label})`);
      results.push({ variant: variant.key, validator: v.id, nameId, tamperedRejectedWith: rejection });
    }
  }
  return results;
}

/** For each validator id, the checks (PROBES) it did not do, per variant. */
async function probeChecks(inputs, idp) {
  const skipped = Object.fromEntries(VALIDATORS.map((v) => [v.id, []]));
  for (const variant of VARIANTS) {
    const good = inputs.responses[variant.key][0];
    for (const probe of PROBES) {
      const b64 = probe.replay ? good : signedResponse(0, inputs.nowMs, variant, idp, probe.mutate);
      for (const v of VALIDATORS) {
        const validator = await v.prepare({ variant, cert: inputs.cert, count: 1 });
        if (probe.replay) await validator.validate(b64, 0);
        if (await accepts(() => validator.validate(b64, 0))) skipped[v.id].push({ check: probe.check, variant: variant.key });
      }
    }
  }
  return skipped;
}

/** Per-variant timing of one validator: fresh instance per batch of all `count` responses. */
async function timeValidator(v, variant, inputs, budget) {
  const responses = inputs.responses[variant.key];
  const run = v.sync
    ? (validator) => { for (let i = 0; i < responses.length; i++) validator.validate(responses[i], i); }
    : async (validator) => { for (let i = 0; i < responses.length; i++) await validator.validate(responses[i], i); };
  const timing = await timeBatches({
    prepare: () => v.prepare({ variant, cert: inputs.cert, count: inputs.count }),
    run,
    opsPerBatch: responses.length,
    ...budget,
  });
  return { implementation: v.name, ...timing };
}

/**
 * The native harness (examples/bench_native.rs) over the exported inputs, if it exists.
 * @returns {{ assertionSigned?: { medianUs: number }, responseSigned?: { medianUs: number }, skipped?: string }}
 */
function runNative(root, inputDir) {
  if (!existsSync(join(root, NATIVE_EXAMPLE))) return { skipped: `${NATIVE_EXAMPLE} not built` };
  console.error('[bench] native: cargo run --release --example bench_native (compiles on first use)');
  const r = spawnSync('cargo', ['run', '--quiet', '--release', '--example', 'bench_native', '--', inputDir],
    { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  if (r.status !== 0) return { skipped: `cargo run failed (exit ${r.status ?? r.signal})` };
  try {
    return JSON.parse(r.stdout.trim().split('\n').pop());
  } catch {
    return { skipped: `unreadable output: ${r.stdout.trim().slice(0, 80)}` };
  }
}

/**
 * Timings are keyed by variant, then validator id (edge-sso first).
 * @returns {Promise<{ count: number, xmlBytes: number, verification: object[], skippedChecks: object,
 *   timings: Record<string, Record<string, object>>, native: object }>}
 */
export async function benchSaml({ root, quick, budget }) {
  const dir = join(root, '.tmp', 'bench');
  const count = quick ? 100 : 300;
  console.error(`[bench] SAML: throwaway IdP key, ${count} signed responses per variant`);
  const idp = createIdpKey(join(dir, 'idp'));
  const inputs = generateResponses(idp, count);
  const inputDir = join(dir, 'inputs');
  exportInputs(inputDir, inputs);

  const verification = await verifyValidators(inputs);
  const skippedChecks = await probeChecks(inputs, idp);
  const edgeSkips = skippedChecks['edge-sso'];
  if (edgeSkips.length) throw new Error(`edge-sso accepted a probe: ${JSON.stringify(edgeSkips)}`);

  const timings = {};
  for (const variant of VARIANTS) {
    timings[variant.key] = {};
    for (const v of VALIDATORS) {
      console.error(`[bench] SAML ${variant.label}: ${v.name}`);
      timings[variant.key][v.id] = await timeValidator(v, variant, inputs, budget.saml);
    }
  }
  return { count, xmlBytes: inputs.xmlBytes, verification, skippedChecks, timings, native: runNative(root, inputDir) };
}
