// How the worker answers: a login's outcome as JSON for programs, or as a
// small HTML page for the browser window (usually a popup) the login ran in.

/** A refusal decided by the worker itself (not by edge-sso), with its HTTP status. */
export class Refusal extends Error {
  /** `details`: more members of the outcome (e.g. `signInAgain`, a path of this worker). */
  constructor(status, code, message, details = {}) {
    super(message);
    this.name = 'Refusal';
    this.status = status;
    this.code = code;
    this.details = details;
  }
}

// A replay of something already used once.
const CONFLICT = new Set(['saml.replayed', 'saml.in_response_to.reused', 'oauth.state.reused']);
// Input that is not even well-formed: nothing was authenticated or refused yet.
const MALFORMED = /^(xml|arg|pkce|saml\.binding|saml\.relay_state|oauth\.callback)\./;
// The token endpoint answered with something that is not a token response.
const BAD_UPSTREAM = /^oauth\.token\.(http_status|malformed|invalid_member|access_token_missing|type_unsupported|too_large)$/;
// Nothing was consumed, try again: soon after a store fault, later when
// the instance's replay memory is full (IDs must expire first).
const RETRY_AFTER = new Map([['saml.store.failed', 2], ['saml.store.timeout', 2], ['saml.replay.memory_full', 60],
  ['worker.replay_guard_unavailable', 2]]);

/** Seconds to wait before retrying, for a refusal that consumed nothing; else undefined. */
export function retryAfterOf(code) {
  return RETRY_AFTER.get(code);
}
// The worker's own configuration.
const MISCONFIGURED = /^(config|random)\./;

/**
 * The HTTP status for an edge-sso error code. Anything not listed is an
 * authentication failure (401): signature, issuer, audience, time, request
 * or state mismatch, an IdP status or OAuth error, the OP's invalid_grant.
 */
export function statusOf(code) {
  if (CONFLICT.has(code)) return 409;
  if (RETRY_AFTER.has(code)) return 503;
  if (MALFORMED.test(code)) return 400;
  if (BAD_UPSTREAM.test(code)) return 502;
  if (MISCONFIGURED.test(code)) return 500;
  return 401;
}

/** `{ status, outcome }` for anything a handler threw. */
export function refusalOf(error) {
  if (error instanceof Refusal) {
    return { status: error.status, outcome: { ok: false, code: error.code, message: error.message, ...error.details } };
  }
  if (error?.name === 'EdgeSsoError') {
    // edge-sso's messages never hold a token or a whole document; they may
    // quote the IdP's or OP's error text, which the HTML page escapes.
    const outcome = { ok: false, code: error.code, message: error.message };
    if (error.error) outcome.error = error.error;
    return { status: statusOf(error.code), outcome };
  }
  // A bug or a platform failure: log it here, show nothing of it.
  console.error('edge-worker: unexpected error', error);
  return { status: 500, outcome: { ok: false, code: 'worker.internal', message: 'The worker failed unexpectedly; the error is in its log.' } };
}

const COMMON_HEADERS = {
  'cache-control': 'no-store',
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
};

/** A 302 to the IdP or OP, setting `cookie` (the one that carries the pending login) when given. */
export function redirect(location, cookie) {
  return new Response(null, { status: 302, headers: { ...COMMON_HEADERS, location, ...(cookie ? { 'set-cookie': cookie } : {}) } });
}

/** JSON for a program (`/config`, and outcomes asked for with `Accept: application/json`). */
export function json(status, body, headers = {}) {
  return new Response(JSON.stringify(body), {
    status,
    headers: { ...COMMON_HEADERS, 'content-type': 'application/json; charset=utf-8', ...headers },
  });
}

function wantsJson(request) {
  // Browser navigations never list application/json; programs say so.
  return (request.headers.get('accept') ?? '').includes('application/json');
}

/**
 * The outcome of a login step, as JSON or as an HTML page. `openerOrigin`,
 * when set, is the one origin the page posts the outcome to (window.opener).
 */
export async function present(request, status, outcome, openerOrigin) {
  if (wantsJson(request)) return json(status, outcome, { vary: 'Accept' });
  const csp = [
    "default-src 'none'",
    ...(openerOrigin ? [`script-src '${await openerScriptHash()}'`] : []),
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
  return new Response(page(outcome, openerOrigin), {
    status,
    headers: {
      ...COMMON_HEADERS,
      'content-type': 'text/html; charset=utf-8',
      'content-security-policy': csp,
      vary: 'Accept',
    },
  });
}

/** The `type` of what the page posts to its opener; the demo page listens for it. */
const MESSAGE_TYPE = 'edge-sso-outcome';

// The only script the page runs. It is constant, so the CSP allows it by its
// hash; the outcome reaches it as an HTML-escaped data attribute, never as code.
const OPENER_SCRIPT = `
const data = document.getElementById('outcome').dataset;
if (window.opener) window.opener.postMessage(JSON.parse(data.message), data.targetOrigin);
`;

let openerScriptHashPromise;
function openerScriptHash() {
  openerScriptHashPromise ??= crypto.subtle
    .digest('SHA-256', new TextEncoder().encode(OPENER_SCRIPT))
    .then((digest) => `sha256-${btoa(String.fromCharCode(...new Uint8Array(digest)))}`);
  return openerScriptHashPromise;
}

const HTML_ESCAPES = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
function escapeHtml(text) {
  return String(text).replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]);
}

function page(outcome, openerOrigin) {
  const heading = outcome.ok ? 'Signed in' : 'Sign-in refused';
  const lines = [
    '<!doctype html>',
    '<html lang="en">',
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${heading}</title>`,
    `<h1>${heading}</h1>`,
    `<pre>${escapeHtml(JSON.stringify(outcome, null, 2))}</pre>`,
  ];
  // A path of this worker (a refusal that needs a new login), never input.
  if (typeof outcome.signInAgain === 'string') lines.push(`<p><a href="${escapeHtml(outcome.signInAgain)}">Sign in again</a></p>`);
  if (openerOrigin) {
    const message = JSON.stringify({ type: MESSAGE_TYPE, outcome });
    lines.push(
      `<div id="outcome" hidden data-target-origin="${escapeHtml(openerOrigin)}" data-message="${escapeHtml(message)}"></div>`,
      `<script>${OPENER_SCRIPT}</script>`,
    );
  }
  return `${lines.join('\n')}\n`;
}
