// The demo page in Debian's Chromium (driven by playwright-core, never a
// downloaded browser): PKCE, a real login at the local OpenID Provider
// through edge-sso/session, userinfo and logout; then no token may be found
// in web storage, cookies, IndexedDB, the URL, the DOM or the console.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launchChromium } from '../support/chromium.mjs';
import { pkceChallenge } from 'edge-sso';
import { startDemo } from '../../scripts/demo.mjs';

let demo;
let browser;
// The token endpoint's answers, seen at the OP (the page's come to its
// session worker, whose requests the browser's events do not show).
const answers = [];

before(async () => {
  const record = async (ctx, next) => {
    await next();
    if (ctx.path === '/token' && ctx.method === 'POST' && ctx.body && typeof ctx.body === 'object') answers.push(ctx.body);
  };
  demo = await startDemo({ port: 0, opMiddleware: [record] });
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await demo?.close();
});

async function storageDump(page) {
  return page.evaluate(async () => {
    const dump = { local: {}, session: {}, cookie: document.cookie, url: location.href, html: document.documentElement.outerHTML, idb: [] };
    for (let i = 0; i < localStorage.length; i++) dump.local[localStorage.key(i)] = localStorage.getItem(localStorage.key(i));
    for (let i = 0; i < sessionStorage.length; i++) dump.session[sessionStorage.key(i)] = sessionStorage.getItem(sessionStorage.key(i));
    for (const db of await indexedDB.databases()) {
      const open = await new Promise((res, rej) => { const r = indexedDB.open(db.name); r.onsuccess = () => res(r.result); r.onerror = rej; });
      for (const store of open.objectStoreNames) {
        const all = await new Promise((res) => { const r = open.transaction(store).objectStore(store).getAll(); r.onsuccess = () => res(r.result); });
        dump.idb.push({ db: db.name, store, all });
      }
      open.close();
    }
    return dump;
  });
}

test('demo page: PKCE, login at the local OP, userinfo, logout, and no token anywhere but the session worker', async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  const consoleLines = [];
  page.on('console', (m) => consoleLines.push(m.text()));
  page.on('pageerror', (e) => consoleLines.push(`pageerror: ${e.message}`));
  const from = answers.length;

  await page.goto(demo.pageUrl);
  await page.waitForSelector('#status[data-state="ready"]', { timeout: 15_000 });

  await page.click('#pkce-btn');
  const verifier = await page.textContent('#pkce-verifier');
  assert.equal(verifier.length, 64);
  assert.equal(await page.textContent('#pkce-challenge'), pkceChallenge(verifier));
  assert.equal(await page.textContent('#pkce-method'), 'S256');
  assert.match(await page.textContent('#pkce-state'), /^[A-Za-z0-9_-]{43}$/);

  const [popup] = await Promise.all([page.waitForEvent('popup'), page.click('#login-btn')]);
  await popup.waitForSelector('input[name="login"]');
  await popup.fill('input[name="login"]', 'alice');
  await popup.fill('input[name="password"]', 'wonderland');
  await popup.click('button[type="submit"]');
  await popup.waitForSelector('input[name="prompt"][value="consent"]', { state: 'attached' });
  await popup.click('button[type="submit"]');
  await popup.waitForEvent('close', { timeout: 15_000 });

  await page.waitForSelector('#session:text("signed in")', { timeout: 15_000 });
  assert.equal(await page.textContent('#token-type'), 'DPoP');
  assert.equal(await page.textContent('#has-refresh'), 'true');
  assert.match(await page.textContent('#scope'), /openid/);

  await page.click('#userinfo-btn');
  await page.waitForSelector('#userinfo dd[data-name="sub"]:text-is("alice")');

  await page.waitForFunction(() => document.getElementById('error').textContent === 'none');
  const issued = answers.slice(from).filter((b) => b.access_token);
  assert.equal(issued.length, 1, 'one code exchange');
  const tokens = new Set(issued.flatMap((b) => ['access_token', 'refresh_token', 'id_token'].map((k) => b[k]).filter(Boolean)));
  assert.equal(tokens.size, 3, 'an access, a refresh and an ID token to look for');

  const dump = await storageDump(page);
  assert.deepEqual(dump.local, {});
  assert.deepEqual(dump.session, {});
  assert.equal(dump.cookie, '');
  assert.deepEqual(dump.idb, []);
  const cookies = await context.cookies();
  const haystacks = [JSON.stringify(dump), JSON.stringify(cookies), ...consoleLines, page.url()];
  for (const t of tokens) {
    for (const h of haystacks) assert.ok(!h.includes(t), `a token leaked into: ${h.slice(0, 100)}`);
  }
  assert.ok(!consoleLines.some((l) => l.startsWith('pageerror')), consoleLines.join('\n'));

  await page.click('#clear-btn');
  await page.waitForSelector('#session:text-is("signed out")', { timeout: 15_000 });
  await page.screenshot({ path: '.tmp/demo.png', fullPage: true });
  await context.close();
});

test('a forged callback handed to the session worker is refused with a typed error', async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(demo.pageUrl);
  await page.waitForSelector('#status[data-state="ready"]');
  const code = await page.evaluate(async () => {
    const cfg = await (await fetch('/config.json')).json();
    const { createSession } = await import('/pkg/session/index.js');
    const session = createSession({ issuer: cfg.issuer, clientId: cfg.clientId, redirectUri: cfg.redirectUri, scope: 'openid profile email', resources: [] });
    const url = `${cfg.redirectUri}?code=stolen&state=forged&iss=${encodeURIComponent(cfg.issuer)}`;
    return session.callback(url, { close: false }).then(() => 'accepted', (e) => e.code);
  });
  assert.equal(code, 'oauth.state.mismatch');
  await context.close();
});
