// The demo page: every protocol step goes through the edge-sso package. The
// page only ever sees public facts about OAuth tokens, never a token. Values
// that come from elsewhere (the OP, the IdP, the worker, the paste box) are
// written with textContent only.
import { SamlServiceProvider, createPkce, randomState, encodeRedirect } from '/pkg/index.js';
import { createSession } from '/pkg/session/index.js';

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

// 2. OAuth in the page, through edge-sso/session: the client, its tokens and
// its DPoP key live in a worker; this page gets facts, claims and answers.

function renderSession(info) {
  const signedIn = info?.loggedIn === true;
  show('session', signedIn ? 'signed in' : 'signed out');
  show('token-type', signedIn ? info.tokenType : '–');
  show('expires-at', signedIn && info.expiresAt ? iso(info.expiresAt) : '–');
  show('scope', signedIn ? info.scope ?? '–' : '–');
  show('has-refresh', signedIn ? String(info.hasRefreshToken) : '–');
  show('has-id-token', signedIn ? String(info.claims !== null) : '–');
  for (const id of ['userinfo-btn', 'hostile-btn', 'clear-btn']) $(id).disabled = !signedIn;
}

function setUpOAuth(cfg) {
  const session = createSession({
    issuer: cfg.issuer,
    clientId: cfg.clientId,
    redirectUri: cfg.redirectUri,
    scope: 'openid profile email',
    resources: [],
  });
  session.onChange(renderSession);

  $('login-btn').addEventListener('click', async () => {
    try {
      renderSession(await session.login());
      showOk('error', 'none');
    } catch (e) { showError('error', e); }
  });

  $('userinfo-btn').addEventListener('click', async () => {
    try {
      const claims = await session.userinfo();
      showPairs('userinfo', Object.entries(claims).map(([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v)]));
      showOk('error', 'none');
    } catch (e) { showError('error', e); }
  });

  $('hostile-btn').addEventListener('click', async () => {
    $('hostile-btn').disabled = true;
    try {
      const { attack } = await import('/hostile.js');
      const attempts = await attack(session);
      showPairs('hostile', attempts.map(({ name, outcome }) => [name, outcome]));
      $('hostile').dataset.done = 'true';
    } catch (e) { showError('error', e); }
    $('hostile-btn').disabled = false;
  });

  $('clear-btn').addEventListener('click', async () => {
    try {
      await session.logout();
      $('userinfo').replaceChildren();
    } catch (e) { showError('error', e); }
  });

  session.info().then(renderSession, (e) => showError('error', e));
}

// 3–5. SAML

/** Shows a validated login (from the page's validateResponse or the worker's outcome). */
function showLogin(prefix, { nameId, attributes, orangeApiToken }) {
  show(`${prefix}-name-id`, nameId);
  // A token, so not shown: that one is held, and its length.
  show(`${prefix}-orange-token`, orangeApiToken ? `held (${orangeApiToken.length} characters)` : '(none)');
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
  setUpOAuth(cfg);
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
