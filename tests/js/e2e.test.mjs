// End to end through the demo that `npm start` runs (scripts/demo.mjs): Debian's
// Chromium drives the page against the real peers — oidc-provider, a samlp
// IdP, and the example edge worker in workerd — through both logins of the
// page, both logins of the worker, the AuthnRequest and the paste box. After
// every step no token may be in web storage, IndexedDB, cookies or any URL, in
// the page or in a popup, and no OAuth token may be in the page at all.
//
// The full-page screenshot goes to .tmp/e2e/demo.png; with UPDATE_SCREENSHOT=1
// it replaces docs/demo.png, the README's picture.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { inflateRawSync } from 'node:zlib';
import { launchChromium } from '../support/chromium.mjs';
import { pkceChallenge } from 'edge-sso';
import { startDemo } from '../../scripts/demo.mjs';
import { ORANGE_USER } from '../support/idp.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const LAPTOP = { width: 1280, height: 800 };
const PHONE = { width: 375, height: 740 };
const SCREENSHOT = process.env.UPDATE_SCREENSHOT === '1' ? join(root, 'docs/demo.png') : join(root, '.tmp/e2e/demo.png');

let demo;
let browser;
// Every OAuth token the OP issued (both clients), and the ID tokens the page received.
const oauthTokens = new Set();
// The SAML user's OrangeAPIToken: the page shows it, but nothing may keep it.
const samlTokens = [ORANGE_USER.attributes.OrangeAPIToken, encodeURIComponent(ORANGE_USER.attributes.OrangeAPIToken)];

before(async () => {
  // The ID tokens, from the token endpoint's answers (the page's come to
  // its session worker, whose requests the browser's events do not show).
  const learnIdTokens = async (ctx, next) => {
    await next();
    if (ctx.path === '/token' && typeof ctx.body?.id_token === 'string') oauthTokens.add(ctx.body.id_token);
  };
  demo = await startDemo({ port: 0, opMiddleware: [learnIdTokens] });
  // Opaque access and refresh tokens: the value is the model's jti.
  for (const event of ['access_token.saved', 'refresh_token.saved']) demo.provider.on(event, (t) => oauthTokens.add(t.jti));
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await demo?.close();
});

/** What a document keeps: both web storages, IndexedDB (every database, every store), its cookies and URL. */
function storageOf(page) {
  return page.evaluate(async () => {
    const entries = (s) => Object.fromEntries(Array.from({ length: s.length }, (_, i) => [s.key(i), s.getItem(s.key(i))]));
    const idb = [];
    for (const { name } of await indexedDB.databases()) {
      const db = await new Promise((resolve, reject) => {
        const r = indexedDB.open(name);
        r.onsuccess = () => resolve(r.result);
        r.onerror = () => reject(r.error);
      });
      for (const store of db.objectStoreNames) {
        const all = await new Promise((resolve) => {
          const r = db.transaction(store).objectStore(store).getAll();
          r.onsuccess = () => resolve(r.result);
        });
        idb.push({ db: name, store, all });
      }
      db.close();
    }
    return { url: location.href, local: entries(localStorage), session: entries(sessionStorage), cookie: document.cookie, idb };
  });
}

function assertNoToken(haystack, where, tokens = [...oauthTokens, ...samlTokens]) {
  for (const t of tokens) assert.ok(!haystack.includes(t), `a token is in ${where}`);
}

/**
 * A checkpoint of the flows: the demo page keeps nothing at all, a popup keeps
 * no token, no URL so far carried one, and the page never holds an OAuth token.
 */
async function checkpoint(step, { page, popup, urls }) {
  const kept = await storageOf(page);
  assert.deepEqual({ ...kept, url: undefined }, { url: undefined, local: {}, session: {}, cookie: '', idb: [] }, `${step}: the page stored something`);
  assertNoToken(kept.url, `the page URL after ${step}`);
  assertNoToken(await page.content(), `the page after ${step}`, [...oauthTokens]);
  if (popup) assertNoToken(JSON.stringify(await storageOf(popup)), `the popup's storage after ${step}`);
  for (const u of urls) assertNoToken(u, `a URL requested before ${step}`);
}

/** The OP's development login (skipped when the OP already has a session) and consent pages, in a popup. */
async function loginAndConsentAtOp(popup, check) {
  await popup.waitForSelector('input[name="prompt"]', { state: 'attached' });
  if (await popup.getAttribute('input[name="prompt"]', 'value') === 'login') {
    await check('the OP login page', popup);
    await popup.fill('input[name="login"]', 'alice');
    await popup.fill('input[name="password"]', 'wonderland');
    await popup.click('button[type="submit"]');
    await popup.waitForSelector('input[name="prompt"][value="consent"]', { state: 'attached' });
  }
  await check('the OP consent page', popup);
  await Promise.all([popup.waitForEvent('close'), popup.click('button[type="submit"]')]);
}

const text = (page, selector) => page.textContent(selector);

test('both logins of the page and of the worker, the AuthnRequest and the paste box; no token kept anywhere', async () => {
  const context = await browser.newContext({ viewport: LAPTOP });
  const page = await context.newPage();
  const urls = [];
  const consoleLines = [];
  context.on('request', (r) => urls.push(r.url()));
  context.on('page', (p) => p.on('console', (m) => consoleLines.push(m.text()))); // the popups
  page.on('console', (m) => consoleLines.push(m.text()));
  page.on('pageerror', (e) => consoleLines.push(`pageerror: ${e.message}`));
  // The page's ID tokens are not OP models: learn them from its token responses.
  const learning = [];
  context.on('response', (res) => {
    if (res.request().method() !== 'POST' || !res.url().startsWith(`${demo.issuer}/token`)) return;
    learning.push(res.json().then((body) => { if (body.id_token) oauthTokens.add(body.id_token); }, () => {}));
  });
  const check = async (step, popup) => {
    await Promise.all(learning);
    await checkpoint(step, { page, popup, urls });
  };

  await page.goto(demo.pageUrl);
  await page.waitForSelector('#status[data-state="ready"]', { timeout: 15_000 });
  await check('loading');

  // 1. PKCE: the challenge is S256 of the verifier shown.
  await page.click('#pkce-btn');
  const verifier = await text(page, '#pkce-verifier');
  assert.equal(verifier.length, 64);
  assert.equal(await text(page, '#pkce-challenge'), pkceChallenge(verifier));
  assert.equal(await text(page, '#pkce-method'), 'S256');
  assert.match(await text(page, '#pkce-state'), /^[A-Za-z0-9_-]{43}$/);
  await check('PKCE');

  // 2. The page's own OAuth login, then userinfo with the token from its vault.
  const [oauthPopup] = await Promise.all([page.waitForEvent('popup'), page.click('#login-btn')]);
  await loginAndConsentAtOp(oauthPopup, check);
  await page.waitForSelector('#session:text-is("signed in")', { timeout: 15_000 });
  assert.equal(await text(page, '#token-type'), 'DPoP'); // edge-sso/session: DPoP by default
  assert.match(await text(page, '#scope'), /\bopenid\b/);
  assert.equal(await text(page, '#has-refresh'), 'true');
  assert.equal(await text(page, '#has-id-token'), 'true');
  assert.ok(Date.parse(await text(page, '#expires-at')) > 0, 'the expiry is a date');
  await check('the page OAuth login');
  assert.ok(oauthTokens.size >= 3, 'the OP issued an access and a refresh token, the page received an ID token');

  await page.click('#userinfo-btn');
  await page.waitForSelector('#userinfo dd[data-name="sub"]');
  assert.equal(await text(page, '#userinfo dd[data-name="sub"]'), 'alice');
  assert.equal(await text(page, '#userinfo dd[data-name="email"]'), 'alice@example.test');
  assert.equal(await text(page, '#userinfo dd[data-name="name"]'), 'User alice');
  assert.equal(await text(page, '#error'), 'none');
  await check('userinfo');

  // The hostile script the page can load (www/hostile.js): each attempt
  // refused or given facts only, and no token anywhere in the page.
  await page.click('#hostile-btn');
  await page.waitForSelector('#hostile[data-done="true"]', { timeout: 30_000 });
  const attempts = await page.$$eval('#hostile dd', (dds) => Object.fromEntries(dds.map((d) => [d.dataset.name, d.textContent])));
  for (const name of ['session.fetch to another origin', 'session.fetch with its own Authorization', 'a forged "token" command to the worker',
    'a forged "authorizationHeader" command to the worker', 'a forged "refreshRequest" command to the worker', 'a forged fetch to another origin, to the worker']) {
    assert.match(attempts[name] ?? '', /^refused: (session|arg)\./, `${name}: ${attempts[name]}`);
  }
  assert.match(attempts['session.info()'], /^got loggedIn, tokenType/);
  const shown = await page.evaluate(() => document.body.innerText);
  for (const token of oauthTokens) assert.ok(!shown.includes(token), 'a token is shown in the page');
  await check('the hostile script');

  // 3. SAML through the worker: IdP, the worker's ACS in workerd, the outcome posted back.
  const [samlPopup] = await Promise.all([page.waitForEvent('popup'), page.click('#saml-login-btn')]);
  await samlPopup.waitForEvent('close', { timeout: 15_000 });
  assert.equal(await text(page, '#saml-result'), `validated by the worker: issued by ${demo.idp.entityId}`);
  assert.equal(await text(page, '#saml-name-id'), ORANGE_USER.nameId);
  assert.equal(await text(page, '#saml-orange-token'), `held (${ORANGE_USER.attributes.OrangeAPIToken.length} characters)`);
  for (const [name, value] of Object.entries(ORANGE_USER.attributes)) {
    assert.equal(await text(page, `#saml-attributes dd[data-name="${name}"]`), value, name);
  }
  assert.ok(urls.some((u) => u.startsWith(`${demo.idp.ssoUrl}?SAMLRequest=`)), 'the popup went to the IdP');
  assert.ok(urls.includes(demo.worker.acsUrl), 'the IdP posted to the worker');
  await check('the SAML login through the worker');

  // 4. OAuth through the worker: it redeems the code; the page gets facts only.
  const issuedBefore = oauthTokens.size;
  const [workerPopup] = await Promise.all([page.waitForEvent('popup'), page.click('#worker-oauth-btn')]);
  await loginAndConsentAtOp(workerPopup, check);
  await page.waitForSelector('#worker-subject:text-is("alice")');
  assert.match(await text(page, '#worker-oauth-result'), /^completed by the worker/);
  assert.match(await text(page, '#worker-token-facts'), /^Bearer, expires \d{4}-.*, scope "[^"]*openid[^"]*"/);
  assert.ok(oauthTokens.size > issuedBefore, 'the OP issued the worker its tokens');
  await check('the OAuth login through the worker');

  // 5. An AuthnRequest built in the page: the URL carries encodeRedirect(xml).
  await page.click('#authn-btn');
  const id = await text(page, '#authn-id');
  const xml = await text(page, '#authn-xml');
  const encoded = await text(page, '#authn-encoded');
  const redirect = new URL(await text(page, '#authn-url'));
  assert.match(xml, new RegExp(`^<samlp:AuthnRequest [^>]*ID="${id}"`));
  assert.equal(redirect.origin + redirect.pathname, demo.idp.ssoUrl);
  assert.equal(redirect.searchParams.get('SAMLRequest'), encoded);
  assert.equal(inflateRawSync(Buffer.from(encoded, 'base64')).toString('utf8'), xml);
  await check('the AuthnRequest');

  // 6. The paste box: the IdP's genuine answer, tampered, is refused with a typed
  //    code; garbage too; then the genuine answer validates in the page.
  await page.click('#answer-btn');
  await page.waitForSelector('#answer-status:has-text("is in section 5")');
  const genuine = await page.inputValue('#paste-input');
  const genuineXml = Buffer.from(genuine, 'base64').toString('utf8');
  assert.ok(genuineXml.includes(`>${ORANGE_USER.nameId}<`));
  const tampered = genuineXml.replace(`>${ORANGE_USER.nameId}<`, '>00000000-0000-0000-0000-000000000000<');
  const paste = async (value) => {
    await page.fill('#paste-input', value);
    await page.click('#paste-btn');
    return page.getAttribute('#paste-result', 'data-code');
  };
  assert.equal(await paste(Buffer.from(tampered).toString('base64')), 'saml.signature.digest_mismatch');
  assert.match(await text(page, '#paste-result'), /^saml\.signature\.digest_mismatch: ./);
  assert.equal(await text(page, '#paste-name-id'), '–', 'a refused response shows nothing of its content');
  assert.equal(await paste('this is not a SAMLResponse'), 'saml.binding.base64_invalid');
  assert.equal(await paste('<samlp:Response'), 'xml.malformed');
  assert.equal(await paste(genuine), null);
  assert.match(await text(page, '#paste-result'), new RegExp(`^valid: issued by ${demo.idp.entityId}, Assertion signed, answers ${id}$`));
  assert.equal(await text(page, '#paste-name-id'), ORANGE_USER.nameId);
  assert.equal(await text(page, '#paste-orange-token'), `held (${ORANGE_USER.attributes.OrangeAPIToken.length} characters)`);
  await check('the paste box');
  await page.screenshot({ path: SCREENSHOT, fullPage: true });
  assert.equal(await paste(genuine), 'saml.replayed', 'the page remembers the assertion it accepted');

  // What the other origins kept: the OP's, the IdP's and the worker's storage
  // (sessionStorage lives and dies with each popup), and every cookie, HttpOnly too.
  for (const url of [`${demo.issuer}/.well-known/openid-configuration`, demo.idp.ssoUrl, `${demo.worker.url}/config`]) {
    const other = await context.newPage();
    await other.goto(url); // a document of that origin (the IdP answers 401 here: still one)
    const kept = await storageOf(other);
    assert.equal(new URL(kept.url).origin, new URL(url).origin);
    assertNoToken(JSON.stringify(kept), `the storage of ${new URL(url).origin}`);
    await other.close();
  }
  assertNoToken(JSON.stringify(await context.cookies()), 'a cookie');
  for (const u of urls) assertNoToken(u, 'a requested URL');
  for (const line of consoleLines) assertNoToken(line, 'the console');
  assert.ok(!consoleLines.some((l) => l.startsWith('pageerror')), consoleLines.join('\n'));
  assert.ok(oauthTokens.size >= 5, `${oauthTokens.size} OAuth tokens were looked for`);
  await context.close();
});

test('on a phone-sized screen nothing is wider than the screen, filled in or not', async () => {
  const context = await browser.newContext({ viewport: PHONE, isMobile: true, hasTouch: true, deviceScaleFactor: 2 });
  const page = await context.newPage();
  await page.goto(demo.pageUrl);
  await page.waitForSelector('#status[data-state="ready"]', { timeout: 15_000 });
  const overflowing = () => page.evaluate(() => {
    const width = document.documentElement.clientWidth;
    const wide = [...document.querySelectorAll('body *')]
      .filter((el) => el.getBoundingClientRect().right > width + 0.5)
      .map((el) => `${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ''}`);
    return { width, scrollWidth: document.documentElement.scrollWidth, wide };
  });
  assert.deepEqual(await overflowing(), { width: PHONE.width, scrollWidth: PHONE.width, wide: [] });

  // The longest values the page shows: PKCE, the AuthnRequest, a validated response's attributes.
  await page.tap('#pkce-btn');
  await page.tap('#authn-btn');
  await page.tap('#answer-btn');
  await page.waitForSelector('#answer-status:has-text("is in section 5")');
  await page.tap('#paste-btn');
  await page.waitForSelector('#paste-attributes dd[data-name="OrangeAPIToken"]');
  assert.deepEqual(await overflowing(), { width: PHONE.width, scrollWidth: PHONE.width, wide: [] });
  await page.screenshot({ path: join(root, '.tmp/e2e/demo-phone.png'), fullPage: true });
  await context.close();
});
