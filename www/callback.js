// The OAuth redirect lands in the login popup: edge-sso/session hands the URL
// to its worker, which holds the pending flow and redeems the code; the
// popup then closes and the opener hears of the login from the worker.
import { createSession } from '/pkg/session/index.js';

const cfg = await (await fetch('/config.json')).json();
const session = createSession({ issuer: cfg.issuer, clientId: cfg.clientId, redirectUri: cfg.redirectUri, scope: 'openid profile email', resources: [] });
try {
  await session.callback();
} catch (e) {
  document.getElementById('msg').textContent = `${e.code}: ${e.message}`;
}
