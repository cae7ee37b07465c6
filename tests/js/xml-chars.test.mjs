// XML 1.0 Char checks in the built (SIMD) module: a character outside Char
// at every offset around the 16-byte blocks that src/saml/xml.rs skips in
// bulk, in text and in an attribute value, must make the document malformed;
// the allowed whitespace and non-ASCII characters must not.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SamlServiceProvider } from 'edge-sso';

const sp = new SamlServiceProvider({ entityId: 'https://sp.example', acsUrl: 'https://sp.example/acs',
  idp: { entityId: 'https://idp.example', ssoRedirectUrl: 'https://idp.example/sso', certificates: [] } });
const codeOf = (xml) => {
  try {
    sp.validateResponse(Buffer.from(xml).toString('base64'), { allowUnsolicited: true });
    return 'ok';
  } catch (e) {
    return e.code;
  }
};
const doc = (text, attr) => `<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" ID="_r" a="${attr}">${text}</samlp:Response>`;

test('a character outside XML Char is refused wherever it falls', () => {
  let checked = 0;
  for (const bad of ['\u0001', '\u0008', '\u000b', '\u000c', '\u001f', '\ufffe', '\uffff']) {
    for (let pad = 0; pad <= 40; pad++) {
      const p = 'x'.repeat(pad);
      assert.equal(codeOf(doc(`${p}${bad}${p}`, 'v')), 'xml.malformed', `text, ${JSON.stringify(bad)} after ${pad}`);
      assert.equal(codeOf(doc('t', `${p}${bad}${p}`)), 'xml.malformed', `attribute, ${JSON.stringify(bad)} after ${pad}`);
      checked += 2;
    }
  }
  assert.equal(checked, 7 * 41 * 2);
});

test('TAB, LF, CR and non-ASCII characters are not malformed', () => {
  for (let pad = 0; pad <= 40; pad++) {
    const p = 'x'.repeat(pad);
    for (const ok of ['\t', '\n', '\r', 'é', '€', '🎌', '\u007f']) {
      const code = codeOf(doc(`${p}${ok}${p}`, `${p}${ok}${p}`));
      assert.notEqual(code, 'xml.malformed', `${JSON.stringify(ok)} after ${pad}`);
    }
  }
});
