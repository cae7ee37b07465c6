// The demo page: every protocol step goes through the edge-sso package. The
// page only ever sees public facts about OAuth tokens, never a token. Values
// that come from elsewhere (the OP, the IdP, the worker, the paste box) are
// written with textContent only.
import { OAuthClient, SamlServiceProvider, createPkce, randomState, encodeRedirect } from '/pkg/index.js';

const PERSISTENT = 'urn:oasis:names:tc:SAML:2.0:nameid-format:persistent';
const POPUP = 'popup,width=480,height=680';

const $ = (id) => document.getElementById(id);
const show = (id, text) => { $(id).textContent = text; };

/** "code: message" for an edge-sso error (its stable `code` also goes to data-code). */
function showError(id, e) {
  show(id, e?.code ? `${e.code}: ${e.message}` : String(e?.message ?? e));
  $(id).dataset.code = e?.code ?? 'error';
}

function showOk(id, text) {
  show(id, text);
  delete $(id).dataset.code;
}

/** Fills a <dl> with name → value rows; each value cell carries its name in data-name. */
function showPairs(id, pairs) {
  const rows = pairs.flatMap(([name, value]) => {
    const dt = document.createElement('dt');
    dt.textContent = name;
    const dd = document.createElement('dd');
    dd.textContent = value;
    dd.dataset.name = name;
    return [dt, dd];
  });
  $(id).replaceChildren(...rows);
}

const iso = (ms) => new Date(ms).toISOString();

// 1. PKCE and state

function setUpPkce() {
  $('pkce-btn').addEventListener('click', () => {
    const p = createPkce();
    show('pkce-verifier', p.codeVerifier);
    show('pkce-challenge', p.codeChallenge);
    show('pkce-method', p.codeChallengeMethod);
    show('pkce-state', randomState());
  });
}

// 2. OAuth in the page

async function discover(issuer) {
  const meta = await (await fetch(`${issuer}/.well-known/openid-configuration`)).json();
  // OpenID Connect Discovery §4.3: the document must name the issuer we asked.
  if (meta.issuer !== issuer) throw new Error('discovery document names another issuer');
  return meta;
}

function renderSession(info) {
  const signedIn = info !== null;
  show('session', signedIn ? 'signed in' : 'signed out');
  show('token-type', info?.tokenType ?? '–');
  show('expires-at', info?.expiresAt ? iso(info.expiresAt) : '–');
  show('scope', info?.scope ?? '–');
  show('has-refresh', info ? String(info.hasRefreshToken) : '–');
  show('has-id-token', info ? String(info.hasIdToken) : '–');
  for (const id of ['userinfo-btn', 'refresh-btn', 'clear-btn']) $(id).disabled = !signedIn;
}

/** Sends a request edge-sso built ({ url, method, headers, body }) and returns status and body text. */
async function send(req) {
  const res = await fetch(req.url, { method: req.method, headers: req.headers, body: req.body });
  return { status: res.status, text: await res.text() };
}

function setUpOAuth(cfg, meta) {
  const client = new OAuthClient({
    authorizationEndpoint: meta.authorization_endpoint,
    tokenEndpoint: meta.token_endpoint,
    clientId: cfg.clientId,
    redirectUri: cfg.redirectUri,
    issuer: meta.issuer,
    issParameterSupported: meta.authorization_response_iss_parameter_supported === true,
    scope: 'openid profile email',
  });

  $('login-btn').addEventListener('click', () => {
    try {
      const start = client.authorize({ nonce: true });
      show('auth-url', start.url);
      window.open(start.url, 'edge-sso-login', POPUP);
    } catch (e) { showError('error', e); }
  });

  // callback.html (same origin) posts the redirect URL here. The state check
  // in handleCallback is what binds it to the login this page started.
  window.addEventListener('message', async (event) => {
    if (event.origin !== location.origin || event.data?.type !== 'edge-sso-callback') return;
    try {
      const response = client.handleCallback(event.data.url);
      const res = await send(client.tokenRequest(response));
      renderSession(client.acceptTokenResponse(res.text, { status: res.status }));
      showOk('error', 'none');
    } catch (e) { showError('error', e); }
  });

  $('userinfo-btn').addEventListener('click', async () => {
    try {
      const res = await fetch(meta.userinfo_endpoint, { headers: { authorization: client.authorizationHeader() } });
      if (!res.ok) throw new Error(`userinfo answered HTTP ${res.status}`);
      const claims = await res.json();
      showPairs('userinfo', Object.entries(claims).map(([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v)]));
      showOk('error', 'none');
    } catch (e) { showError('error', e); }
  });

  $('refresh-btn').addEventListener('click', async () => {
    try {
      const res = await send(client.refreshRequest());
      renderSession(client.acceptTokenResponse(res.text, { status: res.status }));
      showOk('error', 'none');
    } catch (e) { showError('error', e); }
  });

  $('clear-btn').addEventListener('click', () => {
    client.clear();
    renderSession(null);
    $('userinfo').replaceChildren();
  });

  renderSession(client.tokenInfo());
}

// 3–5. SAML

/** Shows a validated login (from the page's validateResponse or the worker's outcome). */
function showLogin(prefix, { nameId, attributes, orangeApiToken }) {
  show(`${prefix}-name-id`, nameId);
  show(`${prefix}-orange-token`, orangeApiToken ?? '(none)');
  showPairs(`${prefix}-attributes`, Object.entries(attributes).map(([name, values]) => [name, values.join(', ')]));
}

function clearLogin(prefix) {
  show(`${prefix}-name-id`, '–');
  show(`${prefix}-orange-token`, '–');
  $(`${prefix}-attributes`).replaceChildren();
}

function setUpAuthnRequest(sp) {
  let sent;
  $('authn-btn').addEventListener('click', () => {
    sent = sp.authnRequest({ nameIdPolicy: { format: PERSISTENT, allowCreate: true } });
    show('authn-id', sent.id);
    show('authn-xml', sent.xml);
    show('authn-encoded', encodeRedirect(sent.xml));
    show('authn-url', sent.url);
    show('answer-status', '–');
    $('answer-btn').disabled = false;
  });

  $('answer-btn').addEventListener('click', async () => {
    try {
      const samlRequest = new URL(sent.url).searchParams.get('SAMLRequest');
      const res = await fetch(`/saml-answer?SAMLRequest=${encodeURIComponent(samlRequest)}`);
      const answer = await res.json();
      if (!res.ok) throw new Error(answer.message);
      $('paste-input').value = answer.samlResponse;
      $('paste-request-id').value = '';
      showOk('answer-status', `a signed Response to ${sent.id} is in section 5, ready to validate`);
    } catch (e) { showError('answer-status', e); }
  });
}

function setUpPaste(sp) {
  $('paste-btn').addEventListener('click', () => {
    clearLogin('paste');
    const expectedRequestId = $('paste-request-id').value.trim();
    try {
      const r = sp.validateResponse($('paste-input').value.trim(), expectedRequestId ? { expectedRequestId } : undefined);
      const signed = [r.signed.response && 'Response', r.signed.assertion && 'Assertion'].filter(Boolean).join(' and ');
      showOk('paste-result', `valid: issued by ${r.issuer}, ${signed} signed, answers ${r.inResponseTo ?? '(unsolicited)'}`);
      showLogin('paste', { nameId: r.nameId, attributes: r.attributes, orangeApiToken: r.orangeApiToken?.value });
    } catch (e) { showError('paste-result', e); }
  });
}

/** The worker's outcome of a SAML login: facts from the assertion it validated. */
function showSamlOutcome(outcome) {
  if (outcome.ok !== true) {
    showError('saml-result', outcome);
    return;
  }
  showOk('saml-result', `validated by the worker: issued by ${outcome.issuer}`);
  showLogin('saml', { nameId: outcome.nameId, attributes: outcome.attributes, orangeApiToken: outcome.orangeApiToken?.value });
}

/** The worker's outcome of an OAuth login: it redeemed the code, so it sends facts about the tokens only. */
function showOAuthOutcome(outcome) {
  if (outcome.ok !== true) {
    showError('worker-oauth-result', outcome);
    return;
  }
  showOk('worker-oauth-result', 'completed by the worker: it redeemed the code, and no token reached this page');
  show('worker-subject', outcome.subject ?? '(no ID token)');
  const expires = outcome.expiresAt ? `expires ${iso(outcome.expiresAt)}` : 'no expiry given';
  show('worker-token-facts', `${outcome.tokenType}, ${expires}, scope "${outcome.scope ?? ''}", refresh token held: ${outcome.hasRefreshToken}`);
}

function clearOAuthOutcome() {
  show('worker-subject', '–');
  show('worker-token-facts', '–');
}

// The worker's two logins: where each starts, and where its outcome goes.
const WORKER_FLOWS = [
  { button: 'saml-login-btn', url: (cfg) => cfg.worker.samlLoginUrl, result: 'saml-result', clear: () => clearLogin('saml'), render: showSamlOutcome },
  { button: 'worker-oauth-btn', url: (cfg) => cfg.worker.oauthLoginUrl, result: 'worker-oauth-result', clear: clearOAuthOutcome, render: showOAuthOutcome },
];

function setUpWorkerLogins(cfg) {
  let pending = null; // { popup, flow }: the popup that is out, and its flow
  for (const flow of WORKER_FLOWS) {
    $(flow.button).addEventListener('click', () => {
      flow.clear();
      showOk(flow.result, 'waiting for the popup…');
      pending = { popup: window.open(flow.url(cfg), 'edge-sso-worker', POPUP), flow };
    });
  }

  // The worker's outcome page posts to this page's exact origin; take the
  // message only from the worker's origin and from the popup this page opened.
  window.addEventListener('message', (event) => {
    if (event.origin !== cfg.worker.origin || pending === null || event.source !== pending.popup) return;
    const outcome = event.data?.type === 'edge-sso-outcome' ? event.data.outcome : null;
    if (outcome === null || typeof outcome !== 'object') return;
    pending.flow.render(outcome);
    pending.popup.close();
    pending = null;
  });
}

async function main() {
  const cfg = await (await fetch('/config.json')).json();
  setUpPkce();
  setUpOAuth(cfg, await discover(cfg.issuer));
  const sp = new SamlServiceProvider({
    entityId: cfg.saml.spEntityId,
    acsUrl: cfg.saml.acsUrl,
    idp: { entityId: cfg.saml.idp.entityId, ssoRedirectUrl: cfg.saml.idp.ssoUrl, certificates: cfg.saml.idp.certificate },
  });
  show('sp-entity', `${cfg.saml.spEntityId} (ACS ${cfg.saml.acsUrl})`);
  setUpAuthnRequest(sp);
  setUpPaste(sp);
  setUpWorkerLogins(cfg);
  show('status', `Ready. OpenID Provider ${cfg.issuer}, SAML IdP ${cfg.saml.idp.entityId}, edge worker ${cfg.worker.origin}.`);
  $('status').dataset.state = 'ready';
}

main().catch((e) => {
  showError('error', e);
  show('status', `Failed to start: ${e?.code ?? ''} ${e?.message ?? e}`);
  $('status').dataset.state = 'failed';
});
