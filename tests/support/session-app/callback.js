// The redirect URI's page: the worker checks the answer and redeems the code.
import { createSession } from '/pkg/session/index.js';

const config = await (await fetch('/app/config.json')).json();
const mode = sessionStorage.getItem('test:mode') ?? undefined;
const session = createSession({ ...config, worker: '/app/worker.js', ...(mode ? { mode } : {}) });
let text;
try {
  text = JSON.stringify({ ok: true, info: await session.callback(undefined, { close: true }) });
} catch (e) {
  text = JSON.stringify({ ok: false, code: e.code, message: e.message });
}
document.getElementById('result').textContent = text;
