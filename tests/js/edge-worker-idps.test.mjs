// The example edge worker (examples/edge-worker) with many IdPs, in real
// workerd: two real samlp IdPs at once, one trusted by its own metadata and
// one out of a federation aggregate signed by xmlsec1 (never by edge-sso);
// sessions started at each IdP's ACS; and Single Logout started by samlp
// (samlp.logout, its LogoutRequest signed by samlp) by HTTP-POST and by
// HTTP-Redirect, answered with the worker's LogoutResponse, which samlp accepts.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startIdp, readPostForm, ORANGE_USER } from '../support/idp.mjs';
import { startWorker, freePort, workerUrls } from '../support/worker.mjs';
import { logoutRememberUntil, unanswerable } from '../../examples/edge-worker/src/slo.js';

const FORM = 'application/x-www-form-urlencoded';
const MD = 'urn:oasis:names:tc:SAML:2.0:metadata';
const DS = 'http://www.w3.org/2000/09/xmldsig#';
const EXPIRING_MS = 5000;
let idpA;
let idpB;
let worker;
let federation; // { pem, signed aggregate, ... }
let expiringUntil;

/** A throwaway key pair made by the openssl CLI. */
function keyPair(dir, name) {
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', join(dir, `${name}.key`),
    '-out', join(dir, `${name}.pem`), '-days', '2', '-subj', `/CN=${name}`, '-sha256'], { stdio: 'ignore' });
  return { key: join(dir, `${name}.key`), cert: join(dir, `${name}.pem`), pem: readFileSync(join(dir, `${name}.pem`), 'utf8') };
}

/** Signs the root of `xml` (its ID attribute) with xmlsec1: an enveloped, exclusive-C14N, RSA-SHA256 signature. */
function xmlsecSign(dir, xml, { key, cert }) {
  const id = xml.match(/^<[^>]*\sID="([^"]+)"/)[1];
  const signature = `<ds:Signature xmlns:ds="${DS}"><ds:SignedInfo>`
    + '<ds:CanonicalizationMethod Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#"/>'
    + `<ds:SignatureMethod Algorithm="http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"/><ds:Reference URI="#${id}"><ds:Transforms>`
    + `<ds:Transform Algorithm="${DS}enveloped-signature"/><ds:Transform Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#"/>`
    + '</ds:Transforms><ds:DigestMethod Algorithm="http://www.w3.org/2001/04/xmlenc#sha256"/><ds:DigestValue/></ds:Reference></ds:SignedInfo>'
    + '<ds:SignatureValue/><ds:KeyInfo><ds:X509Data/></ds:KeyInfo></ds:Signature>';
  const template = xml.replace(/^(<[^>]*>)/, `$1${signature}`);
  writeFileSync(join(dir, 'in.xml'), template);
  execFileSync('xmlsec1', ['--sign', '--privkey-pem', `${key},${cert}`, '--id-attr:ID', `${MD}:EntitiesDescriptor`,
    '--id-attr:ID', `${MD}:EntityDescriptor`, '--node-xpath', "/*/*[local-name()='Signature']",
    '--output', join(dir, 'out.xml'), join(dir, 'in.xml')], { stdio: ['ignore', 'ignore', 'pipe'] });
  return readFileSync(join(dir, 'out.xml'), 'utf8').replace(/^<\?xml[^>]*\?>\s*/, '');
}

const iso = (ms) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
const entity = (idp) => idp.metadataXml().replace(/^<EntityDescriptor /, '<EntityDescriptor ');

before(async () => {
  const port = await freePort();
  const urls = workerUrls(port);
  const spFor = (key) => ({ acs: urls.forIdp(key).acsUrl, slo: urls.forIdp(key).sloUrl });
  idpA = await startIdp({ sps: { [urls.forIdp('a').spEntityId]: spFor('a') } });
  idpB = await startIdp({ sps: { [urls.forIdp('b').spEntityId]: spFor('b') } });

  const dir = mkdtempSync(join(tmpdir(), 'edge-sso-federation-'));
  try {
    const fed = keyPair(dir, 'federation');
    const other = keyPair(dir, 'other');
    const aggregate = `<EntitiesDescriptor xmlns="${MD}" ID="_fed" Name="urn:example:federation" validUntil="${iso(Date.now() + 86400000)}" cacheDuration="PT6H">`
      + `${entity(idpA)}${entity(idpB)}</EntitiesDescriptor>`;
    const signed = xmlsecSign(dir, aggregate, fed);
    // One entity as an MDQ service serves it: signed on its own, here with a
    // validUntil a few seconds away and a cacheDuration of one second.
    expiringUntil = Math.ceil((Date.now() + EXPIRING_MS) / 1000) * 1000;
    const perEntity = xmlsecSign(dir, idpA.metadataXml()
      .replace(/^<EntityDescriptor /, `<EntityDescriptor ID="_a" validUntil="${iso(expiringUntil)}" cacheDuration="PT1S" `), fed);
    federation = { pem: fed.pem, signed, otherSigned: xmlsecSign(dir, aggregate, other) };
    worker = await startWorker({
      port,
      replicas: 2,
      faults: true,
      idps: {
        a: { metadataXml: idpA.metadataXml() }, // unsigned: trusted as configured
        b: { metadataXml: signed, entityId: idpB.entityId, signerCertificates: [fed.pem] },
        mdq: { metadataXml: perEntity, signerCertificates: [fed.pem] },
        forged: { metadataXml: federation.otherSigned, entityId: idpB.entityId, signerCertificates: [fed.pem] },
        unsigned: { metadataXml: aggregate, entityId: idpB.entityId, signerCertificates: [fed.pem] },
        // IdP A's metadata without its SingleLogoutService: no LogoutResponse can be sent to it.
        noslo: { metadataXml: idpA.metadataXml().replace(/<SingleLogoutService[^>]*\/>/g, '') },
      },
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

after(async () => {
  await worker?.close();
  await idpA?.close();
  await idpB?.close();
});

/** The `name=value` of the Set-Cookie named `name`. */
function cookieNamed(response, name) {
  return response.headers.getSetCookie().find((c) => c.startsWith(`${name}=`))?.split(';')[0];
}

/** /saml/<key>/login, then the IdP: its auto-posting form and the request cookie. */
async function login(key, base = worker.url) {
  const start = await fetch(`${base}/saml/${key}/login`, { redirect: 'manual' });
  assert.equal(start.status, 302, await start.text());
  const atIdp = await fetch(start.headers.get('location'));
  assert.equal(atIdp.status, 200);
  return { cookie: cookieNamed(start, 'edge-sso-saml'), form: readPostForm(await atIdp.text()), location: start.headers.get('location') };
}

function post(url, fields, cookie) {
  return fetch(url, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': FORM, accept: 'application/json', ...(cookie ? { cookie } : {}) },
    body: new URLSearchParams(Object.entries(fields).filter(([, v]) => v !== undefined)),
  });
}

/** A login through IdP `key` to the end: its outcome and the session cookie. */
async function signIn(key) {
  const { cookie, form } = await login(key);
  const res = await post(form.action, { SAMLResponse: form.SAMLResponse, RelayState: form.RelayState }, cookie);
  const out = await res.json();
  assert.equal(res.status, 200, JSON.stringify(out));
  return { out, session: cookieNamed(res, 'edge-sso-session'), setCookies: res.headers.getSetCookie() };
}

async function sessionOf(cookie, base = worker.url) {
  const res = await fetch(`${base}/session`, { headers: { cookie } });
  assert.equal(res.status, 200);
  return res.json();
}

async function assertRefused(response, status, code) {
  const out = await response.json();
  assert.equal(response.status, status, JSON.stringify(out));
  assert.equal(out.ok, false);
  assert.equal(out.code, code, JSON.stringify(out));
  return out;
}

/** samlp starts the IdP-initiated logout of a session: its form (post) or its redirect. */
async function idpStartsLogout(idp, sessionIndex, binding) {
  const res = await fetch(`${idp.url}/logout/start?${new URLSearchParams({ sessionIndex, binding })}`, { redirect: 'manual' });
  if (binding === 'redirect') {
    assert.equal(res.status, 302, await res.text());
    return res.headers.get('location');
  }
  assert.equal(res.status, 200);
  return readPostForm(await res.text());
}

/** Follows the worker's 302 to the IdP's SLO endpoint: samlp says whether it accepts the LogoutResponse. */
async function idpReceives(idp, sloAnswer) {
  const out = await sloAnswer.text();
  assert.equal(sloAnswer.status, 302, out);
  const location = sloAnswer.headers.get('location');
  assert.ok(location.startsWith(`${idp.sloUrl}?SAMLResponse=`), location);
  const xml = (await import('node:zlib')).inflateRawSync(Buffer.from(new URL(location).searchParams.get('SAMLResponse'), 'base64')).toString();
  const res = await fetch(location);
  return { status: res.status, body: await res.text(), xml };
}

test('two IdPs at once: each login at its own ACS, each SP built from that IdP\'s metadata (one signed by the federation)', async () => {
  const a = await login('a');
  assert.ok(a.location.startsWith(`${idpA.ssoUrl}?`), 'IdP A\'s SSO URL, from its metadata');
  const b = await login('b');
  assert.ok(b.location.startsWith(`${idpB.ssoUrl}?`), 'IdP B\'s SSO URL, from the signed aggregate');
  assert.equal(a.form.action, workerUrls(new URL(worker.url).port).forIdp('a').acsUrl);
  assert.equal(b.form.action, workerUrls(new URL(worker.url).port).forIdp('b').acsUrl);

  // A's response at B's ACS, with A's own request cookie: B's SP trusts only B's keys.
  const crossed = await post(b.form.action, { SAMLResponse: a.form.SAMLResponse }, a.cookie);
  await assertRefused(crossed, 401, 'saml.signature.invalid');
  assert.equal(cookieNamed(crossed, 'edge-sso-session'), undefined, 'no session');

  // Nothing was consumed: both answers still sign in where they belong, concurrently.
  const [resA, resB] = await Promise.all([
    post(a.form.action, { SAMLResponse: a.form.SAMLResponse }, a.cookie),
    post(b.form.action, { SAMLResponse: b.form.SAMLResponse }, b.cookie),
  ]);
  const [outA, outB] = [await resA.json(), await resB.json()];
  assert.equal(resA.status, 200, JSON.stringify(outA));
  assert.equal(resB.status, 200, JSON.stringify(outB));
  assert.deepEqual([outA.idp, outA.issuer], ['a', idpA.entityId]);
  assert.deepEqual([outB.idp, outB.issuer], ['b', idpB.entityId]);
  assert.equal(outA.nameId, ORANGE_USER.nameId);
  assert.match(outA.sessionIndex, /^_[0-9a-f]{32}$/);

  const cfg = await (await fetch(`${worker.url}/config`)).json();
  assert.equal(cfg.idps.a.signed, false);
  assert.equal(cfg.idps.a.idpEntityId, idpA.entityId);
  assert.equal(cfg.idps.b.signed, true);
  assert.equal(cfg.idps.b.idpEntityId, idpB.entityId);
  assert.equal(cfg.idps.b.cacheDurationSeconds, 6 * 3600);
  assert.equal(cfg.idps.mdq.signed, true);
});

test('metadata signed by another key, or not signed, is refused for that IdP only; unknown IdPs are 404', async () => {
  const cfg = await (await fetch(`${worker.url}/config`)).json();
  assert.equal(cfg.idps.forged.error, 'saml.signature.invalid', JSON.stringify(cfg.idps.forged));
  assert.equal(cfg.idps.unsigned.error, 'saml.metadata.unsigned', JSON.stringify(cfg.idps.unsigned));
  await assertRefused(await fetch(`${worker.url}/saml/forged/login`, { headers: { accept: 'application/json' } }), 500, 'saml.signature.invalid');
  await assertRefused(await fetch(`${worker.url}/saml/unsigned/login`, { headers: { accept: 'application/json' } }), 500, 'saml.metadata.unsigned');
  const json = { headers: { accept: 'application/json' } };
  await assertRefused(await fetch(`${worker.url}/saml/nobody/login`, json), 404, 'worker.idp_unknown');
  await assertRefused(await fetch(`${worker.url}/saml/Not_A_Key/login`, json), 404, 'worker.not_found');
  await assertRefused(await fetch(`${worker.url}/saml/constructor/login`, json), 404, 'worker.idp_unknown');
  await assertRefused(await fetch(`${worker.url}/saml/a/slo`, { method: 'PUT', ...json }), 405, 'worker.method_not_allowed');
});

test('per-isolate cache: rebuilt when cacheDuration elapses, and refused once validUntil has passed', async () => {
  const first = (await (await fetch(`${worker.url}/config`)).json()).idps.mdq;
  assert.equal(first.cacheDurationSeconds, 1);
  assert.equal(first.validUntil, expiringUntil);
  assert.ok(first.refreshAt <= first.builtAt + 1000);
  const again = (await (await fetch(`${worker.url}/config`)).json()).idps.mdq;
  if (Date.now() < first.refreshAt) assert.equal(again.builtAt, first.builtAt, 'cached within cacheDuration');
  await new Promise((r) => setTimeout(r, 1100));
  const later = (await (await fetch(`${worker.url}/config`)).json()).idps.mdq;
  assert.ok(later.builtAt > first.builtAt, 'read again after cacheDuration');
  assert.equal((await fetch(`${worker.url}/saml/mdq/login`, { redirect: 'manual' })).status, 302);

  await new Promise((r) => setTimeout(r, Math.max(0, expiringUntil - Date.now() + 200)));
  const expired = await fetch(`${worker.url}/saml/mdq/login`, { redirect: 'manual', headers: { accept: 'application/json' } });
  await assertRefused(expired, 500, 'saml.metadata.expired');
});

test('a login at an IdP\'s ACS starts a session; samlp\'s Single Logout by HTTP-POST ends it, and samlp accepts the answer', async () => {
  const a = await signIn('a');
  assert.match(a.session, /^edge-sso-session=[0-9a-f]{64}\.[0-9a-f]{64}$/);
  assert.ok(a.setCookies.some((c) => /^edge-sso-session=[^;]+; Path=\/; HttpOnly; SameSite=Lax; Max-Age=\d+$/.test(c)), a.setCookies.join(' | '));
  const b = await signIn('b');
  const on = await sessionOf(a.session);
  assert.deepEqual([on.loggedIn, on.idp, on.nameId, on.sessionIndex], [true, 'a', ORANGE_USER.nameId, a.out.sessionIndex]);
  assert.equal((await sessionOf(a.session, worker.replicaUrls[1])).loggedIn, true, 'every isolate sees the session');

  const form = await idpStartsLogout(idpA, a.out.sessionIndex, 'post');
  assert.equal(form.action, workerUrls(new URL(worker.url).port).forIdp('a').sloUrl);
  assert.ok(Buffer.from(form.SAMLRequest, 'base64').toString().includes('<Signature'), 'samlp signed it');
  // The browser carries the session cookie that this logout ends: cleared.
  const answer = await post(form.action, { SAMLRequest: form.SAMLRequest, RelayState: form.RelayState }, a.session);
  assert.match(answer.headers.get('set-cookie'), /^edge-sso-session=; .*Max-Age=0$/);
  const atIdp = await idpReceives(idpA, answer);
  assert.equal(atIdp.status, 200, atIdp.body);
  assert.match(atIdp.xml, /StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:Success"/);
  assert.equal(idpA.logoutsCompleted(), 1);

  assert.deepEqual(await sessionOf(a.session), { loggedIn: false });
  assert.equal((await sessionOf(b.session)).loggedIn, true, 'the same user\'s session at IdP B goes on');
});

test('samlp\'s Single Logout by HTTP-Redirect (signed query) ends the session too', async () => {
  const b = await signIn('b');
  const other = await signIn('b'); // another session of the same NameID, another SessionIndex
  const location = await idpStartsLogout(idpB, b.out.sessionIndex, 'redirect');
  const url = new URL(location);
  assert.equal(`${url.origin}${url.pathname}`, workerUrls(new URL(worker.url).port).forIdp('b').sloUrl);
  assert.ok(url.searchParams.get('Signature') && url.searchParams.get('SigAlg'));
  const atIdp = await idpReceives(idpB, await fetch(location, { redirect: 'manual' }));
  assert.equal(atIdp.status, 200, atIdp.body);
  assert.deepEqual(await sessionOf(b.session), { loggedIn: false });
  assert.equal((await sessionOf(other.session)).loggedIn, true, 'only the SessionIndex it named');
});

test('Single Logout refusals: unsigned, tampered, from the other IdP, replayed (same isolate and another), and none ends the session', async () => {
  const a = await signIn('a');
  const form = await idpStartsLogout(idpA, a.out.sessionIndex, 'post');
  const xml = Buffer.from(form.SAMLRequest, 'base64').toString();
  const sloA = form.action;
  const sloB = workerUrls(new URL(worker.url).port).forIdp('b').sloUrl;
  const b64 = (s) => Buffer.from(s).toString('base64');

  const unsigned = xml.replace(/<Signature[\s\S]*<\/Signature>/, '');
  assert.ok(!unsigned.includes('Signature'));
  await assertRefused(await post(sloA, { SAMLRequest: b64(unsigned) }), 401, 'saml.signature.missing');
  const tampered = xml.replace(`>${ORANGE_USER.nameId}<`, '>someone-else<');
  assert.notEqual(tampered, xml);
  await assertRefused(await post(sloA, { SAMLRequest: b64(tampered) }), 401, 'saml.signature.digest_mismatch');
  // IdP A's signed LogoutRequest at IdP B's SLO URL.
  await assertRefused(await post(sloB, { SAMLRequest: form.SAMLRequest }), 401, 'saml.signature.invalid');
  await assertRefused(await post(sloA, { SAMLResponse: form.SAMLRequest }), 400, 'worker.slo_unexpected');
  const twice = await fetch(sloA, {
    method: 'POST', headers: { 'content-type': FORM, accept: 'application/json' },
    body: `SAMLRequest=${encodeURIComponent(form.SAMLRequest)}&SAMLRequest=${encodeURIComponent(form.SAMLRequest)}`,
  });
  await assertRefused(twice, 400, 'worker.form_invalid');
  assert.equal((await sessionOf(a.session)).loggedIn, true, 'no refusal ended the session');

  const first = await post(sloA, { SAMLRequest: form.SAMLRequest, RelayState: form.RelayState });
  assert.equal(first.status, 302);
  assert.equal((await sessionOf(a.session)).loggedIn, false);
  // The same request again: this isolate's SP remembers its ID; another
  // isolate does not, and the shared ReplayGuard refuses it.
  await assertRefused(await post(sloA, { SAMLRequest: form.SAMLRequest }), 409, 'saml.replayed');
  const elsewhere = sloA.replace(worker.url, worker.replicaUrls[1]);
  await assertRefused(await post(elsewhere, { SAMLRequest: form.SAMLRequest }), 409, 'worker.logout_replayed');
  // An unsigned redirect-binding LogoutRequest is refused as well.
  const { encodeRedirect } = await import('edge-sso');
  const query = new URLSearchParams({ SAMLRequest: encodeRedirect(unsigned.replace(/ID="[^"]+"/, 'ID="_fresh"')) });
  await assertRefused(await fetch(`${sloA}?${query}`, { headers: { accept: 'application/json' } }), 401, 'saml.signature.missing');
});

test('/session: no cookie is logged out; a cookie the worker never set is refused', async () => {
  assert.deepEqual(await (await fetch(`${worker.url}/session`)).json(), { loggedIn: false });
  const bad = await fetch(`${worker.url}/session`, { headers: { cookie: 'edge-sso-session=nope', accept: 'application/json' } });
  await assertRefused(bad, 400, 'worker.cookie_invalid');
  const unknown = `edge-sso-session=${'a'.repeat(64)}.${'b'.repeat(64)}`;
  assert.deepEqual(await sessionOf(unknown), { loggedIn: false });
});

test('the session store is down at the ACS: tried again, then 503 worker.session_unavailable, saying the login was used and where to sign in again', async () => {
  const { sessionsDown } = worker.faultUrls;
  const { cookie, form } = await login('a');
  const acs = form.action.replace(worker.url, sessionsDown);
  const started = Date.now();
  const res = await post(acs, { SAMLResponse: form.SAMLResponse, RelayState: form.RelayState }, cookie);
  const out = await assertRefused(res, 503, 'worker.session_unavailable');
  assert.ok(Date.now() - started >= 500, 'the write was tried again before giving up');
  assert.equal(out.signInAgain, '/saml/a/login');
  assert.match(out.message, /cannot be used again.*\/saml\/a\/login/);
  assert.equal(res.headers.get('retry-after'), null, 'retrying this POST cannot work: no Retry-After');
  assert.equal(cookieNamed(res, 'edge-sso-session'), undefined, 'no session cookie');
  assert.equal(cookieNamed(res, 'edge-sso-saml'), 'edge-sso-saml=', 'the spent request cookie is cleared');
  // What it says is true: the assertion was recorded, the same POST is a replay anywhere.
  await assertRefused(await post(form.action, { SAMLResponse: form.SAMLResponse }, cookie), 409, 'saml.replayed');

  // The page a browser sees links to a new login.
  const again = await login('a');
  const page = await fetch(acs, {
    method: 'POST', headers: { 'content-type': FORM, cookie: again.cookie },
    body: new URLSearchParams({ SAMLResponse: again.form.SAMLResponse }),
  });
  assert.equal(page.status, 503);
  assert.match(await page.text(), /<a href="\/saml\/a\/login">Sign in again<\/a>/);
});

test('the ReplayGuard is down at the SLO: 503 with Retry-After, no session ended, the same LogoutRequest still accepted later', async () => {
  const { guardDown } = worker.faultUrls;
  const a = await signIn('a');
  const form = await idpStartsLogout(idpA, a.out.sessionIndex, 'post');
  const there = form.action.replace(worker.url, guardDown);
  for (let i = 0; i < 2; i++) {
    // Twice in the same isolate: the second is not refused as saml.replayed by its SP's memory.
    const res = await post(there, { SAMLRequest: form.SAMLRequest, RelayState: form.RelayState }, a.session);
    await assertRefused(res, 503, 'worker.replay_guard_unavailable');
    assert.equal(res.headers.get('retry-after'), '2');
    assert.equal(cookieNamed(res, 'edge-sso-session'), undefined, 'the cookie is kept');
    assert.equal((await sessionOf(a.session)).loggedIn, true, 'nothing ended');
  }
  const atIdp = await idpReceives(idpA, await post(form.action, { SAMLRequest: form.SAMLRequest, RelayState: form.RelayState }, a.session));
  assert.equal(atIdp.status, 200, atIdp.body);
  assert.match(atIdp.xml, /status:Success"/);
  assert.equal((await sessionOf(a.session)).loggedIn, false);
});

test('a LogoutRequest that could not be answered is refused before anything is consumed: RelayState over 80 bytes, an IdP with no redirect SLO endpoint', async () => {
  const a = await signIn('a');
  const form = await idpStartsLogout(idpA, a.out.sessionIndex, 'post');
  const long = 'é'.repeat(41); // 82 bytes
  await assertRefused(await post(form.action, { SAMLRequest: form.SAMLRequest, RelayState: long }, a.session), 400, 'worker.slo_relay_state_too_long');
  const query = new URLSearchParams({ SAMLRequest: 'x', RelayState: 'r'.repeat(81) });
  await assertRefused(await fetch(`${form.action}?${query}`, { headers: { accept: 'application/json' } }), 400, 'worker.slo_relay_state_too_long');
  const noSlo = form.action.replace('/saml/a/slo', '/saml/noslo/slo');
  await assertRefused(await post(noSlo, { SAMLRequest: form.SAMLRequest }), 400, 'worker.slo_endpoint_missing');
  assert.equal((await sessionOf(a.session)).loggedIn, true, 'nothing ended');
  // Nothing was consumed, not even in this isolate's SP: the same LogoutRequest still works.
  const atIdp = await idpReceives(idpA, await post(form.action, { SAMLRequest: form.SAMLRequest, RelayState: form.RelayState }, a.session));
  assert.equal(atIdp.status, 200, atIdp.body);
  assert.equal((await sessionOf(a.session)).loggedIn, false);
});

test('a Single Logout clears the browser\'s session cookie only when it names a session that logout ended', async () => {
  const a = await signIn('a');
  const [b1, b2, b3] = [await signIn('b'), await signIn('b'), await signIn('b')];
  // IdP B logs out b1 in a browser whose cookie is IdP A's session: kept.
  let res = await fetch(await idpStartsLogout(idpB, b1.out.sessionIndex, 'redirect'), { redirect: 'manual', headers: { cookie: a.session } });
  assert.equal(res.status, 302);
  assert.equal(cookieNamed(res, 'edge-sso-session'), undefined);
  // ... and in one whose cookie is another session of the same user at B: kept.
  res = await fetch(await idpStartsLogout(idpB, b2.out.sessionIndex, 'redirect'), { redirect: 'manual', headers: { cookie: b3.session } });
  assert.equal(res.status, 302);
  assert.equal(cookieNamed(res, 'edge-sso-session'), undefined);
  assert.deepEqual([(await sessionOf(b1.session)).loggedIn, (await sessionOf(b2.session)).loggedIn], [false, false]);
  assert.deepEqual([(await sessionOf(a.session)).loggedIn, (await sessionOf(b3.session)).loggedIn], [true, true]);
  // The browser whose session it ends: cleared.
  res = await fetch(await idpStartsLogout(idpB, b3.out.sessionIndex, 'redirect'), { redirect: 'manual', headers: { cookie: b3.session } });
  assert.equal(res.status, 302);
  assert.equal(cookieNamed(res, 'edge-sso-session'), 'edge-sso-session=');
});

test('a LogoutRequest ID is remembered as long as an SP with that IdP\'s clock skew could accept a copy', () => {
  const core = (issueInstant, skew) => issueInstant + 5 * 60 * 1000 + skew * 1000; // edge-sso's last acceptance
  const t = Date.UTC(2026, 0, 1);
  for (const skew of [0, 180, 3600]) {
    // A copy dated `skew` in the future is accepted until IssueInstant + 5 min + 2 × skew.
    assert.ok(logoutRememberUntil(t, skew) > core(t + skew * 1000, skew), `skew ${skew}`);
  }
  assert.equal(logoutRememberUntil(t, 180), t + 12 * 60 * 1000);
  assert.equal(logoutRememberUntil(t, 3600), t + (5 + 120 + 1) * 60 * 1000);
  const info = { sloRedirectUrl: 'https://idp.example/slo' };
  assert.equal(unanswerable(info, []), undefined);
  assert.equal(unanswerable(info, ['a'.repeat(80)]), undefined);
  assert.equal(unanswerable(info, ['é'.repeat(41)]).code, 'worker.slo_relay_state_too_long');
  assert.equal(unanswerable({}, []).code, 'worker.slo_endpoint_missing');
  assert.equal(unanswerable({ sloRedirectUrl: info.sloRedirectUrl, sloResponseUrl: 'https://idp.example/slo/answers' }, []), undefined);
});
