// Characters that exclusive C14N escapes, at every offset around the 16-byte
// blocks the SIMD scan of src/saml/c14n.rs skips, in text and in attribute
// values. The Responses are signed by xml-crypto (its own canonicalization),
// so a byte written differently by edge-sso's canonical form shows as a
// digest mismatch.
//
// TAB, LF and CR *references* (&#9; &#10; &#13;) come from xmlsec1 instead
// (tests/fixtures/c14n-escapes, scripts/fixtures/c14n_escapes.py): xml-crypto
// signs them correctly but its serializer (@xmldom/xmldom) then writes them as
// raw characters, which every XML parser normalizes on reading (to spaces in
// attributes, CR to LF in text), so the posted document no longer matches its
// own signature. A test below shows that edge-sso refuses such a document, as
// it must.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SamlServiceProvider } from 'edge-sso';
import { ACS_URL, IDP_ENTITY_ID, IDP_SSO_URL, SP_ENTITY_ID, VARIANTS, createIdpKey, signedResponse } from '../../bench/saml-inputs.mjs';

const GIVEN_NAME = '<saml:AttributeValue xsi:type="xs:string">Alice</saml:AttributeValue>';

/** A throwaway openssl IdP key and certificate; the key file is gone when this returns. */
function throwawayIdp() {
  const dir = mkdtempSync(join(tmpdir(), 'edge-sso-c14n-'));
  try {
    return createIdpKey(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const spFor = (cert) => new SamlServiceProvider({ entityId: SP_ENTITY_ID, acsUrl: ACS_URL,
  idp: { entityId: IDP_ENTITY_ID, ssoRedirectUrl: IDP_SSO_URL, certificates: [cert] } });

test('escaped characters at every block offset verify, and read back decoded', () => {
  const idp = throwawayIdp();
  const nowMs = Date.now();
  let checked = 0;
  for (const variant of VARIANTS) {
    const sp = spFor(idp.cert);
    for (let pad = 0; pad <= 34; pad++) {
      const p = 'x'.repeat(pad);
      const attr = `${p}&amp;${p}&lt;&quot;>${p}`;
      const text = `${p}A&amp;B&lt;C&gt;D${p}"'\t${p}`;
      const mutate = (xml) => {
        const changed = xml.replace(GIVEN_NAME, `<saml:AttributeValue xsi:type="xs:string" label="${attr}">${text}</saml:AttributeValue>`);
        assert.notEqual(changed, xml);
        return changed;
      };
      const i = pad;
      const b64 = signedResponse(i, nowMs, variant, idp, mutate);
      const v = sp.validateResponse(b64, { expectedRequestId: `_req${i}`, now: nowMs });
      assert.deepEqual(v.attributes.givenName, [`${p}A&B<C>D${p}"'\t${p}`], `${variant.key}, ${pad} before`);
      checked++;
    }
    sp.free();
  }
  assert.equal(checked, 2 * 35);
});

test('a whitespace reference that the signer serialized raw is refused', () => {
  const idp = throwawayIdp();
  const nowMs = Date.now();
  const sp = spFor(idp.cert);
  const b64 = signedResponse(0, nowMs, VARIANTS[0], idp,
    (xml) => xml.replace(GIVEN_NAME, '<saml:AttributeValue xsi:type="xs:string" label="a&#9;b">Alice</saml:AttributeValue>'));
  assert.match(Buffer.from(b64, 'base64').toString(), /label="a\tb"/, 'xml-crypto posted a raw TAB');
  assert.throws(() => sp.validateResponse(b64, { expectedRequestId: '_req0', now: nowMs }),
    (e) => e.code === 'saml.signature.digest_mismatch');
  sp.free();
});

test('TAB, LF and CR references at every offset, signed by xmlsec1, verify and read back decoded', () => {
  const dir = new URL('../fixtures/c14n-escapes/', import.meta.url);
  const manifest = JSON.parse(readFileSync(new URL('manifest.json', dir), 'utf8'));
  assert.equal(manifest.cases.length, 21);
  const cert = readFileSync(new URL('idp.pem', dir), 'utf8');
  for (const c of manifest.cases) {
    // One SP per case: every case reuses the same Response and Assertion IDs.
    const sp = new SamlServiceProvider({ entityId: manifest.sp.entityId, acsUrl: manifest.sp.acsUrl,
      idp: { entityId: manifest.idpEntityId, ssoRedirectUrl: 'https://idp.example/sso', certificates: [cert] } });
    const xml = readFileSync(new URL(c.file, dir), 'utf8');
    const v = sp.validateResponse(Buffer.from(xml).toString('base64'), { expectedRequestId: manifest.requestId, now: manifest.nowMs });
    assert.deepEqual(v.attributes.givenname, [c.givenname], c.file);
    sp.free();
  }
});
