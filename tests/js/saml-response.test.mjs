// SAML Response validation through the built package: every xmlsec1-signed
// fixture (tests/fixtures/responses), the full result, and end to end with a
// real IdP (samlp, which signs with xml-crypto).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { SamlServiceProvider } from 'edge-sso';
import { startIdp, readPostForm, ORANGE_USER } from '../support/idp.mjs';

const dir = new URL('../fixtures/responses/', import.meta.url);
const manifest = JSON.parse(readFileSync(new URL('manifest.json', dir), 'utf8'));
const file = (name) => readFileSync(new URL(name, dir), 'utf8');
const b64 = (s) => Buffer.from(s).toString('base64');

const spFor = (certs, allowSha1 = false) => new SamlServiceProvider({
  entityId: manifest.sp.entityId, acsUrl: manifest.sp.acsUrl, allowSha1,
  idp: { entityId: manifest.idpEntityId, ssoRedirectUrl: 'https://idp.example/sso', certificates: certs.map(file) },
});
const optionsFor = (c) => ({
  now: manifest.nowMs, allowUnsolicited: c.allowUnsolicited, ...(c.expectedRequestId ? { expectedRequestId: c.expectedRequestId } : {}),
});

test('every xmlsec1-signed fixture behaves as labelled', () => {
  assert.ok(manifest.cases.length >= 45);
  for (const c of manifest.cases) {
    const sp = spFor(c.certs, c.allowSha1);
    const raw = file(c.file);
    const input = raw.trimStart().startsWith('<') ? b64(raw) : raw; // posted values are base64
    const run = () => sp.validateResponse(input, optionsFor(c));
    if (c.expect === 'ok') {
      const v = run();
      if (c.check?.nameId) assert.equal(v.nameId, c.check.nameId, c.name);
      if (c.check?.orangeApiToken) assert.equal(v.orangeApiToken.value, c.check.orangeApiToken, c.name);
      if (c.expectAgain) assert.throws(run, (e) => e.code === c.expectAgain, `${c.name} (second time)`);
    } else {
      assert.throws(run, (e) => e.name === 'EdgeSsoError' && e.code === c.expect, c.name);
    }
  }
});

test('a valid response gives the facts of the verified assertion', () => {
  const c = manifest.cases.find((x) => x.name === 'assertion signed, rsa-sha256');
  const v = spFor(c.certs).validateResponse(b64(file(c.file)), optionsFor(c));
  assert.equal(v.issuer, manifest.idpEntityId);
  assert.equal(v.nameId, '4b124ae2-0126-102b-8852-001a641049bb');
  assert.equal(v.nameIdFormat, 'urn:oasis:names:tc:SAML:2.0:nameid-format:persistent');
  assert.equal(v.sessionIndex, '_session1');
  assert.equal(v.authnContextClassRef, 'urn:oasis:names:tc:SAML:2.0:ac:classes:Password');
  assert.equal(v.authnInstant, Date.UTC(2024, 4, 1, 10));
  assert.equal(v.sessionNotOnOrAfter, Date.UTC(2024, 4, 1, 18));
  assert.equal(v.notOnOrAfter, Date.UTC(2024, 4, 1, 10, 5));
  assert.deepEqual(v.attributes.usertype, ['internet', 'mobile']);
  assert.deepEqual(v.attributes.givenname, ['Alice']);
  assert.equal(v.orangeApiToken.value, c.check.orangeApiToken);
  assert.equal(v.orangeApiToken.urlEncoded, encodeURIComponent(c.check.orangeApiToken));
  assert.equal(v.inResponseTo, '_req1');
  assert.deepEqual(v.signed, { response: false, assertion: true });
});

test('validateResponseWithStore: a shared store refuses a replay to another instance', async () => {
  const c = manifest.cases.find((x) => x.name === 'assertion signed, rsa-sha256');
  const input = b64(file(c.file));
  const seen = new Map();
  const asked = [];
  // asynchronous, like a Durable Object or a database
  const store = {
    async remember(id, expiresAt) {
      asked.push([id, expiresAt]);
      if ((seen.get(id) ?? 0) > manifest.nowMs) return false;
      seen.set(id, expiresAt);
      return true;
    },
  };
  const v = await spFor(c.certs).validateResponseWithStore(input, store, optionsFor(c));
  assert.equal(v.nameId, c.check.nameId);
  assert.deepEqual(asked, [[v.assertionId, v.replayUntil]]);
  assert.ok(v.replayUntil > manifest.nowMs);
  // another instance (another isolate) that never saw it: only the store knows
  await assert.rejects(spFor(c.certs).validateResponseWithStore(input, store, optionsFor(c)), { name: 'EdgeSsoError', code: 'saml.replayed' });
  // a synchronous store works too
  const once = new Set();
  const syncStore = { remember: (id) => !once.has(id) && Boolean(once.add(id)) };
  await spFor(c.certs).validateResponseWithStore(input, syncStore, optionsFor(c));
  await assert.rejects(spFor(c.certs).validateResponseWithStore(input, syncStore, optionsFor(c)), { code: 'saml.replayed' });
});

test('validateResponseWithStore: refusals are rejections, and a failing store fails closed', async () => {
  const c = manifest.cases.find((x) => x.name === 'assertion signed, rsa-sha256');
  const input = b64(file(c.file));
  let asked = 0;
  const counting = { remember: () => { asked += 1; return true; } };
  const tampered = manifest.cases.find((x) => x.name === 'tampered NameID');
  await assert.rejects(spFor(c.certs).validateResponseWithStore(b64(file(tampered.file)), counting, optionsFor(tampered)), { code: tampered.expect });
  assert.equal(asked, 0, 'the store is not asked about a response that failed validation');
  await assert.rejects(spFor(c.certs).validateResponseWithStore(input, {}, optionsFor(c)), { code: 'arg.invalid' });
  await assert.rejects(spFor(c.certs).validateResponseWithStore(input, { remember: () => 'yes' }, optionsFor(c)), { code: 'saml.store.failed' });
  const down = new Error('store down');
  await assert.rejects(spFor(c.certs).validateResponseWithStore(input, { remember: async () => { throw down; } }, optionsFor(c)), { code: 'saml.store.failed', cause: down });
  await assert.rejects(spFor(c.certs).validateResponseWithStore(input, { remember: () => { throw down; } }, optionsFor(c)), { code: 'saml.store.failed', cause: down });
});

let idp;
before(async () => { idp = await startIdp({ sps: { 'https://shop.example/saml': 'https://shop.example/saml/acs' } }); });
after(() => idp?.close());

test('end to end with samlp: our AuthnRequest, its signed Response, validated with the IdP certificate', async () => {
  const sp = new SamlServiceProvider({
    entityId: 'https://shop.example/saml', acsUrl: 'https://shop.example/saml/acs',
    idp: { entityId: idp.entityId, ssoRedirectUrl: idp.ssoUrl, certificates: idp.certificate },
  });
  const sent = sp.authnRequest({ nameIdPolicy: { format: 'urn:oasis:names:tc:SAML:2.0:nameid-format:persistent', allowCreate: true }, relayState: '/account' });
  const form = readPostForm(await (await fetch(sent.url)).text());
  assert.equal(form.RelayState, '/account');
  const v = sp.validateResponse(form.SAMLResponse); // the SP remembers sent.id itself
  assert.equal(v.inResponseTo, sent.id);
  assert.equal(v.issuer, idp.entityId);
  assert.equal(v.nameId, ORANGE_USER.nameId);
  assert.equal(v.orangeApiToken.value, ORANGE_USER.attributes.OrangeAPIToken);
  assert.equal(v.orangeApiToken.urlEncoded, encodeURIComponent(ORANGE_USER.attributes.OrangeAPIToken));
  assert.deepEqual(v.attributes.givenname, ['Alice']);
  assert.deepEqual(v.attributes.country, ['FR']);
  assert.equal(v.signed.assertion || v.signed.response, true);
  // one-time: the same response again is refused
  assert.throws(() => sp.validateResponse(form.SAMLResponse), (e) => e.code === 'saml.replayed' || e.code === 'saml.in_response_to.reused');
  // and another SP instance that never sent the request refuses it unless it carries the ID
  const other = new SamlServiceProvider({ entityId: 'https://shop.example/saml', acsUrl: 'https://shop.example/saml/acs', idp: { entityId: idp.entityId, ssoRedirectUrl: idp.ssoUrl, certificates: idp.certificate } });
  assert.throws(() => other.validateResponse(form.SAMLResponse), { code: 'saml.in_response_to.mismatch' });
  assert.equal(other.validateResponse(form.SAMLResponse, { expectedRequestId: sent.id }).nameId, ORANGE_USER.nameId);
});

test('a samlp response checked against the wrong certificate fails', async () => {
  const sp = new SamlServiceProvider({
    entityId: 'https://shop.example/saml', acsUrl: 'https://shop.example/saml/acs',
    idp: { entityId: idp.entityId, ssoRedirectUrl: idp.ssoUrl, certificates: file('attacker.pem') },
  });
  const sent = sp.authnRequest();
  const form = readPostForm(await (await fetch(sent.url)).text());
  assert.throws(() => sp.validateResponse(form.SAMLResponse), { code: 'saml.signature.invalid' });
});

test('SAML options are read as strictly as OAuth ones: no hidden members, no Map or class instance', () => {
  const base = () => ({
    entityId: manifest.sp.entityId, acsUrl: manifest.sp.acsUrl,
    idp: { entityId: manifest.idpEntityId, ssoRedirectUrl: 'https://idp.example/sso', certificates: manifest.cases[0].certs.map(file) },
  });
  assert.ok(new SamlServiceProvider(base()), 'the base configuration is accepted');
  const refused = (value, field) => assert.throws(() => new SamlServiceProvider(value),
    (e) => e.name === 'EdgeSsoError' && e.code === 'arg.invalid' && e.message.includes(`\`${field}\``));
  // allowSha1 made non-enumerable: Object.entries would skip it without a word.
  refused(Object.defineProperty(base(), 'allowSha1', { value: true, enumerable: false }), 'config');
  const idp = base().idp;
  refused({ ...base(), idp: Object.defineProperty({ ...idp }, 'certificates', { value: idp.certificates, enumerable: false }) }, 'idp');
  refused(new Map(Object.entries(base())), 'config');
  refused({ ...base(), idp: Object.assign(new (class Idp {})(), idp) }, 'idp');
  const sp = spFor(manifest.cases[0].certs);
  assert.throws(() => sp.validateResponse('x', Object.defineProperty({}, 'allowUnsolicited', { value: true, enumerable: false })),
    (e) => e.code === 'arg.invalid');
});
