// The demo page: every call goes through the edge-sso package; the page sees
// only public facts, never a token.
import { OAuthClient, createPkce, randomState } from '/pkg/browser.js';

const $ = (id) => document.getElementById(id);
const show = (id, text) => { $(id).textContent = text; };

function showError(e) {
  show('error', e && e.code ? `${e.code}: ${e.message}` : String(e));
  $('error').dataset.code = e?.code ?? '';
}

function clearError() {
  show('error', 'none');
  delete $('error').dataset.code;
}

async function main() {
  const cfg = await (await fetch('/config.json')).json();
  const meta = await (await fetch(`${cfg.issuer}/.well-known/openid-configuration`)).json();
  // OpenID Connect Discovery §4.3: the document must name the issuer we asked.
  if (meta.issuer !== cfg.issuer) throw new Error('discovery document names another issuer');
  const client = new OAuthClient({
    authorizationEndpoint: meta.authorization_endpoint,
    tokenEndpoint: meta.token_endpoint,
    clientId: cfg.clientId,
    redirectUri: cfg.redirectUri,
    issuer: meta.issuer,
    issParameterSupported: meta.authorization_response_iss_parameter_supported === true,
    scope: 'openid profile email',
  });

  const renderSession = (info) => {
    const signedIn = info !== null;
    show('session', signedIn ? 'signed in' : 'signed out');
    show('token-type', info?.tokenType ?? '–');
    show('expires-at', info?.expiresAt ? new Date(info.expiresAt).toISOString() : '–');
    show('scope', info?.scope ?? '–');
    show('has-refresh', info ? String(info.hasRefreshToken) : '–');
    for (const id of ['userinfo-btn', 'refresh-btn', 'clear-btn']) $(id).disabled = !signedIn;
  };

  const send = async (req) => {
    const res = await fetch(req.url, { method: req.method, headers: req.headers, body: req.body });
    return { status: res.status, text: await res.text() };
  };

  $('pkce-btn').addEventListener('click', () => {
    const p = createPkce();
    show('pkce-verifier', p.codeVerifier);
    show('pkce-challenge', p.codeChallenge);
    show('pkce-method', p.codeChallengeMethod);
    show('pkce-state', randomState());
  });

  $('login-btn').addEventListener('click', () => {
    try {
      const start = client.authorize({ nonce: true });
      show('auth-url', start.url);
      window.open(start.url, 'edge-sso-login', 'popup,width=480,height=680');
    } catch (e) { showError(e); }
  });

  window.addEventListener('message', async (event) => {
    if (event.origin !== location.origin || event.data?.type !== 'edge-sso-callback') return;
    try {
      const response = client.handleCallback(event.data.url);
      const res = await send(client.tokenRequest(response));
      renderSession(client.acceptTokenResponse(res.text, { status: res.status }));
      clearError();
    } catch (e) { showError(e); }
  });

  $('userinfo-btn').addEventListener('click', async () => {
    try {
      const res = await fetch(meta.userinfo_endpoint, { headers: { authorization: client.authorizationHeader() } });
      const claims = await res.json();
      show('userinfo', res.ok ? `sub=${claims.sub}, name=${claims.name ?? ''}, email=${claims.email ?? ''}` : `HTTP ${res.status}`);
    } catch (e) { showError(e); }
  });

  $('refresh-btn').addEventListener('click', async () => {
    try {
      const res = await send(client.refreshRequest());
      renderSession(client.acceptTokenResponse(res.text, { status: res.status }));
      clearError();
    } catch (e) { showError(e); }
  });

  $('clear-btn').addEventListener('click', () => {
    client.clear();
    renderSession(null);
    show('userinfo', '–');
  });

  renderSession(client.tokenInfo());
  show('status', `Ready. OpenID Provider: ${meta.issuer}`);
  $('status').dataset.state = 'ready';
}

main().catch((e) => {
  showError(e);
  show('status', 'Failed to start; see the error below.');
  $('status').dataset.state = 'failed';
});
