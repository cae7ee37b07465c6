// The test app: one session for the page, driven by the tests through
// `window.app` (which a hostile script can reach as well: the worst case).
import { createSession } from '/pkg/session/index.js';

const config = await (await fetch('/app/config.json')).json();
const mode = new URLSearchParams(location.search).get('mode') ?? undefined;
if (mode) sessionStorage.setItem('test:mode', mode); // for the callback page (a popup gets a copy)
const session = createSession({ ...config, worker: '/app/worker.js', ...(mode ? { mode } : {}) });
const changes = [];
session.onChange((info) => changes.push(info));
const status = (text) => { document.getElementById('status').textContent = text; };
const app = {
  session,
  changes,
  outcome: undefined,
  async login(redirect) {
    try {
      app.outcome = { ok: true, info: await session.login({ redirect }) };
    } catch (e) {
      app.outcome = { ok: false, code: e.code, message: e.message };
    }
    status(JSON.stringify(app.outcome));
  },
};
window.app = app;
document.getElementById('login').addEventListener('click', () => app.login(false));
document.getElementById('login-redirect').addEventListener('click', () => app.login(true));
status(JSON.stringify(await session.info()));
document.getElementById('result').textContent = 'ready';
