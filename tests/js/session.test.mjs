// edge-sso/session in Chromium, Firefox ESR and WebKitGTK (tests/support/
// browsers.mjs), against oidc-provider with DPoP nonces, rotating refresh
// tokens and revocation, a resource server that checks each token with the
// OP and each proof with jose, and an evil origin that records all it gets
// (tests/support/session-app.mjs). The worker the pages start is the
// package's, behind tests/support/session-app/record.js, which copies every
// message it posts to the test.
//
// - A hostile script injected after login (session-app/hostile.js) tries
//   every way listed in session-app/hostile.js; each outcome is checked, and no token the
//   OP issued is in anything it got, sent to the evil origin, or overheard,
//   in any message the worker posted, in storage, cookies or URLs.
// - Tabs: two share one login (one code redeemed), logout in one logs both
//   out; three keep calling the API through several expiries with rotating
//   refresh tokens and the OP refuses no refresh (no invalid_grant).
// Both as a SharedWorker and as dedicated workers (mode: 'dedicated', the
// path of a browser without SharedWorker: one holds the login by Web Lock).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { BROWSERS, launchBrowsers } from '../support/browsers.mjs';
import { startSessionParties } from '../support/session-app.mjs';

const started = Date.now();
let parties;
let browsers;

before(async () => {
  // Access tokens live 6 s and are refreshed 2 s before they expire.
  [parties, browsers] = await Promise.all([startSessionParties({ accessTokenTtl: 6, refreshLeewaySeconds: 2 }), launchBrowsers()]);
});

after(async () => {
  await browsers?.close();
  await parties?.close();
  console.log(`session: ${((Date.now() - started) / 1000).toFixed(1)} s in all`);
});

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function waitFor(tab, expression, what, timeout = 30_000) {
  const deadline = Date.now() + timeout;
  for (;;) {
    let v;
    try {
      v = await tab.evaluate(expression);
    } catch { /* the page is loading */ }
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what} (${expression})`);
    await sleep(100);
  }
}

/** Opens the app in a new tab of `ctx` and waits until its session answered. */
async function openApp(ctx, mode) {
  const tab = await ctx.open(`${parties.app}/app/index.html${mode === 'dedicated' ? '?mode=dedicated' : ''}`);
  await waitFor(tab, "document.getElementById('result').textContent === 'ready'", 'the app');
  return tab;
}

async function login(tab) {
  await tab.click('#login');
  const outcome = await waitFor(tab, 'window.app.outcome', 'the login');
  assert.equal(outcome.ok, true, JSON.stringify(outcome));
  assert.equal(outcome.info.loggedIn, true);
  assert.equal(outcome.info.tokenType, 'DPoP');
  return outcome.info;
}

/** Every token the OP issued that occurs in `text` (whole, or its first 24 characters). */
function tokensIn(text) {
  return parties.tokens().filter((t) => text.includes(t) || text.includes(t.slice(0, 24)));
}

const apiCall = (path = '/api/me') => `app.session.fetch(${JSON.stringify(parties.resource + path)}).then(async (r) => ({ status: r.status, body: await r.json() }))`;

for (const name of BROWSERS) {
  for (const mode of ['shared', 'dedicated']) {
    test(`${name} (${mode}): a hostile script injected after login obtains no token`, { timeout: 180_000 }, async (t) => {
      const ctx = await browsers.context(name);
      try {
        const tab = await openApp(ctx, mode);
        assert.equal(await tab.evaluate('app.session.mode'), mode);
        await login(tab);
        const me = await tab.evaluate(apiCall());
        assert.deepEqual(me, { status: 200, body: { sub: 'alice', path: '/api/me', method: 'GET', body: '' } });
        const logFrom = parties.log.length;
        const evilFrom = parties.evilSaw.length;
        const seenFrom = parties.seen.length;
        const report = await tab.evaluate(`import('/app/hostile.js').then((m) => m.attack(${JSON.stringify({ resource: parties.resource, evil: parties.evil, mode })}))`);
        const outcome = Object.fromEntries(report.attempts.map((a) => [a.name, a]));
        t.diagnostic(report.attempts.map((a) => `${a.name}: ${a.ok ? 'answered' : a.code}`).join('; '));
        const refused = (attemptName, code) => {
          const a = outcome[attemptName];
          assert.ok(a, `no attempt ${attemptName}`);
          assert.equal(a.ok, false, `${attemptName}: ${JSON.stringify(a)}`);
          if (code) assert.equal(a.code, code, `${attemptName}: ${JSON.stringify(a)}`);
        };
        refused('fetch with our own Authorization', 'session.fetch.header_refused');
        refused('fetch with our own DPoP header', 'session.fetch.header_refused');
        refused('fetch TRACE', 'session.message_invalid');
        refused('fetch with a toString URL object', 'arg.invalid');
        refused('login with response_type=token');
        for (const n of ['evil origin', 'userinfo@evil', 'allowed as user part', 'localhost for 127.0.0.1', 'another port',
          'https for http', 'data: URL', 'javascript: URL']) refused(`fetch ${n}`, 'session.fetch.origin_refused');
        refused('fetch allowed origin that redirects', 'session.fetch.redirect_refused');
        refused('fetch allowed origin that echoes headers', 'session.fetch.credentials_echoed');
        // What the page may do, a hostile script in it may do too (the
        // README's residual risk): facts, claims and API answers, no token.
        assert.equal(outcome['info() facts'].ok, true);
        assert.equal(outcome['userinfo()'].ok, true);
        assert.equal(outcome['fetch allowed resource under poisoned prototypes'].ok, true, JSON.stringify(outcome['fetch allowed resource under poisoned prototypes']));
        assert.ok(report.poisoned > 0, 'the poisoned prototypes were called');
        assert.ok(report.heard > 0, 'the listeners heard messages');
        // The forged commands: each answered with a refusal, but the one a
        // page may send (a call to the allowed API).
        const forged = JSON.parse(outcome['forged commands to the worker'].value);
        const byId = Object.fromEntries(forged.map((f) => [f.id, f]));
        const expect = { 1: 'session.message_invalid', 2: 'session.message_invalid', 3: 'session.message_invalid', 4: 'session.message_invalid',
          5: 'session.message_invalid', 6: 'session.fetch.origin_refused', 7: 'session.fetch.header_refused', 8: 'session.message_invalid',
          9: 'session.config_mismatch', 10: 'session.message_invalid', 11: 'session.message_invalid', 13: 'session.fetch.redirect_refused',
          14: 'session.message_invalid', 15: 'session.message_invalid' };
        for (const [id, code] of Object.entries(expect)) assert.equal(byId[id]?.code, code, `forged ${id}: ${JSON.stringify(byId[id])}`);
        assert.equal(byId[12]?.ok, false, 'a callback with tokens in the fragment');
        assert.equal(byId[16]?.status, 200, 'a forged but allowed API call is a call the page could make');
        if (mode === 'dedicated') {
          assert.equal(byId[99]?.code, 'session.fetch.origin_refused', 'a forged relay request to the evil origin');
          assert.equal(byId[98]?.code, 'session.message_invalid');
        }
        assert.deepEqual(JSON.parse(outcome['listen through a refresh'].value), { refreshed: true });

        // Nothing anywhere holds a token.
        assert.ok(parties.tokens().length >= 3, 'the OP issued tokens');
        assert.ok(report.loot.length > 100, `the hostile script gathered ${report.loot.length} strings`);
        assert.deepEqual(tokensIn(JSON.stringify(report.loot)), [], 'a token in what the hostile script got');
        const posted = parties.log.slice(logFrom);
        assert.ok(posted.length > 20, `the worker posted ${posted.length} messages`);
        assert.deepEqual(tokensIn(parties.log.join('\n')), [], 'a token in a message the worker posted');
        const evilGot = parties.evilSaw.slice(evilFrom);
        assert.deepEqual(evilGot.map((r) => r.url), ['/loot'], 'the evil origin got only the loot, from the hostile script');
        assert.deepEqual(tokensIn(JSON.stringify(parties.evilSaw)), [], 'a token at the evil origin');
        const state = await tab.evaluate(`(async () => ({ cookie: document.cookie, url: location.href,
          storage: [localStorage, sessionStorage].map((s) => Object.entries({ ...s })),
          idb: (await indexedDB.databases?.())?.map((d) => d.name) ?? [],
          entries: performance.getEntries().map((e) => e.name) }))()`);
        assert.deepEqual(tokensIn(JSON.stringify(state)), [], 'a token in storage, cookies or URLs');
        assert.equal(state.cookie, '');
        // The scan finds a token where there is one: the echo endpoint saw
        // the worker's Authorization header, a token the OP issued.
        const echoed = parties.seen.slice(seenFrom).find((r) => r.path === '/api/echo');
        assert.ok(echoed && tokensIn(echoed.authorization).length === 1, 'the control: the allowed resource got a token');
        assert.equal(parties.seen.slice(seenFrom).some((r) => r.path === '/api/redirect' && r.authorization.startsWith('DPoP ')), true);
        assert.equal(parties.evilSaw.some((r) => r.url.startsWith('/steal')), false, 'no request reached a /steal URL');
      } finally {
        await ctx.close();
      }
    });

    test(`${name} (${mode}): a worker that never starts fails every call by the start deadline`, { timeout: 60_000 }, async () => {
      const ctx = await browsers.context(name);
      try {
        const tab = await openApp(ctx, mode);
        // A script that runs but never answers (no `error` event comes), and
        // a deadline option that is not a positive integer.
        const outcome = await tab.evaluate(`import('/pkg/session/index.js').then(async ({ createSession }) => {
          const config = await (await fetch('/app/config.json')).json();
          const codeOf = (p) => p.then(() => 'answered', (e) => e.code);
          let invalid;
          try { createSession({ ...config, worker: '/app/silent-worker.js', name: 'silent', mode: ${JSON.stringify(mode)}, startTimeoutMs: 0 }); }
          catch (e) { invalid = e.code; }
          // Past setTimeout's 2^31 - 1 ms, which a browser would fire at once.
          try { createSession({ ...config, worker: '/app/silent-worker.js', name: 'silent', mode: ${JSON.stringify(mode)}, startTimeoutMs: 2 ** 31 }); invalid = 'taken'; }
          catch (e) { invalid = invalid === e.code ? invalid : 'two answers'; }
          const s = createSession({ ...config, worker: '/app/silent-worker.js', name: 'silent', mode: ${JSON.stringify(mode)}, startTimeoutMs: 500 });
          const first = await codeOf(s.info());
          const later = await codeOf(s.fetch(${JSON.stringify(`${parties.resource}/api/me`)}));
          return { invalid, first, later };
        })`);
        assert.deepEqual(outcome, { invalid: 'arg.invalid', first: 'session.worker_failed', later: 'session.worker_failed' });
        // The app's own session, the real worker with the default deadline, answered.
        assert.deepEqual(await tab.evaluate('app.session.info()'), { loggedIn: false });
      } finally {
        await ctx.close();
      }
    });

    test(`${name} (${mode}): two tabs share one login; logging out in one logs out both`, { timeout: 120_000 }, async () => {
      const ctx = await browsers.context(name);
      try {
        const one = await openApp(ctx, mode);
        const grants = parties.codeGrants();
        await login(one);
        const two = await openApp(ctx, mode);
        const info = await two.evaluate('app.session.info()');
        assert.equal(info.loggedIn, true, 'the second tab is logged in without a login of its own');
        assert.equal((await two.evaluate(apiCall())).status, 200);
        assert.equal(parties.codeGrants(), grants + 1, 'one code redeemed for both tabs');
        const out = await two.evaluate('app.session.logout()');
        assert.deepEqual(out, { revoked: ['refresh_token', 'access_token'], logoutUrl: null });
        await waitFor(one, 'app.changes.length > 0 && app.changes[app.changes.length - 1].loggedIn === false', 'the first tab to hear of the logout');
        assert.deepEqual(await one.evaluate('app.session.info()'), { loggedIn: false });
        const after = await one.evaluate(`${apiCall()}.catch((e) => e.code)`);
        assert.equal(after, 'session.logged_out');
      } finally {
        await ctx.close();
      }
    });

    test(`${name} (${mode}): three tabs with a rotating refresh token keep working through several expiries`, { timeout: 180_000 }, async () => {
      const ctx = await browsers.context(name);
      try {
        const tabs = [await openApp(ctx, mode)];
        await login(tabs[0]);
        tabs.push(await openApp(ctx, mode), await openApp(ctx, mode));
        const refreshes = parties.refreshes();
        const errors = parties.tokenErrors.length;
        const seenFrom = parties.seen.length;
        // Each tab calls the API every 300 ms for 16 s (the token lives 6 s).
        const loop = `(async () => { const out = []; const end = Date.now() + 16000;
          while (Date.now() < end) { try { const r = await app.session.fetch(${JSON.stringify(`${parties.resource}/api/me`)}); out.push(r.status); }
          catch (e) { out.push(e.code); } await new Promise((r) => setTimeout(r, 300)); } return out; })()`;
        const results = await Promise.all(tabs.map((t) => t.evaluate(loop)));
        for (const [i, r] of results.entries()) {
          assert.ok(r.length > 10, `tab ${i} made ${r.length} calls`);
          assert.deepEqual([...new Set(r)], [200], `tab ${i}: ${JSON.stringify(r)}`);
        }
        assert.ok(parties.refreshes() - refreshes >= 3, `${parties.refreshes() - refreshes} refreshes`);
        assert.deepEqual(parties.tokenErrors.slice(errors), [], 'the OP refused no refresh');
        const used = new Set(parties.seen.slice(seenFrom).map((r) => r.authorization));
        assert.ok(used.size >= 3, `${used.size} access tokens used`);
      } finally {
        await ctx.close();
      }
    });
  }
}
