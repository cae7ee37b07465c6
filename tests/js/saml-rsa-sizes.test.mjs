// RSA signatures of every supported key size through the built package, which
// runs the SIMD arithmetic of src/saml/bignum.rs (the cargo tests run its
// scalar twin). Keys from the openssl CLI, Responses signed by xml-crypto:
// nothing here was produced by edge-sso.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SamlServiceProvider } from 'edge-sso';
import { ACS_URL, IDP_ENTITY_ID, IDP_SSO_URL, SP_ENTITY_ID, createIdpKey, generateResponses, tamper } from '../../bench/saml-inputs.mjs';

// 1024 (with allowWeakRsa), 2048 and 3072 take 28-bit limbs; 3584 and 4096
// take 27-bit ones (above 3,554 bits), so both limb widths and the change
// between them are covered.
for (const bits of [1024, 2048, 3072, 3584, 4096]) {
  test(`RSA-${bits}: valid responses verify, altered ones do not`, () => {
    const dir = mkdtempSync(join(tmpdir(), 'edge-sso-rsa-'));
    let inputs;
    try {
      inputs = generateResponses(createIdpKey(dir, bits), 3);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    for (const [variant, responses] of Object.entries(inputs.responses)) {
      // One SP per variant: the variants reuse their Responses' IDs.
      const sp = new SamlServiceProvider({ entityId: SP_ENTITY_ID, acsUrl: ACS_URL, allowWeakRsa: bits < 2048,
        idp: { entityId: IDP_ENTITY_ID, ssoRedirectUrl: IDP_SSO_URL, certificates: [inputs.cert] } });
      responses.forEach((b64, i) => {
        const options = { expectedRequestId: `_req${i}`, now: inputs.nowMs };
        assert.throws(() => sp.validateResponse(tamper(b64), options), (e) => e.code === 'saml.signature.digest_mismatch', `${variant} ${i} tampered`);
        // The same content with one bit of the signature value changed.
        const xml = Buffer.from(b64, 'base64').toString('utf8');
        const flipped = xml.replace(/<ds:SignatureValue>(.)/, (_, c) => `<ds:SignatureValue>${c === 'A' ? 'B' : 'A'}`);
        assert.notEqual(flipped, xml);
        assert.throws(() => sp.validateResponse(Buffer.from(flipped).toString('base64'), options),
          (e) => e.code === 'saml.signature.invalid', `${variant} ${i} signature bit`);
        // Last: a Response is accepted once.
        const v = sp.validateResponse(b64, options);
        assert.equal(v.inResponseTo, `_req${i}`, `${variant} ${i}`);
      });
      sp.free();
    }
  });
}
