// The two cookies that carry a pending login from the request that starts it
// to the one that finishes it, so that any isolate can finish it; and the
// session cookie a per-IdP SAML login sets (a random session ID).
//
// They hold only what edge-sso hands back for that purpose (a SAML request ID,
// with the login's retry key for the ReplayGuard; an OAuth state, PKCE
// verifier and nonce), never a token, and they are not signed: the worker has
// no key. That is sound because every value is a
// 256-bit random string that edge-sso checks against something an attacker
// cannot forge (the IdP's signed InResponseTo; the OP, which only redeems a
// code for the verifier whose challenge it was given). A cookie an attacker
// sets in their own browser can only finish their own login.
//
// Attributes depend on the scheme the site is served over:
// - https: `__Host-` prefix + Secure + Path=/ + HttpOnly, so no sibling
//   subdomain or plain-http page can plant or overwrite the cookie. The SAML
//   one is SameSite=None: the IdP's POST back to the ACS is a cross-site POST,
//   on which browsers do not send Lax cookies. The OAuth one stays Lax: the
//   OP's redirect back is a top-level GET, on which Lax cookies are sent.
// - http (local development on 127.0.0.1): no prefix and no Secure, which
//   browsers refuse on plain http, and SameSite=Lax for both; an IdP on
//   another port of 127.0.0.1 is same-site, so its POST carries the cookie.

/** @typedef {{ name: string, crossSitePost: boolean }} CookieKind */

/** @type {CookieKind} The ID of the AuthnRequest the ACS expects an answer to, and the login's retry key. */
export const SAML_REQUEST = { name: 'edge-sso-saml', crossSitePost: true };
/** @type {CookieKind} The carried OAuth flow (state, PKCE verifier, nonce, expiry, scope). */
export const OAUTH_FLOW = { name: 'edge-sso-oauth', crossSitePost: false };
/**
 * @type {CookieKind} The session a per-IdP SAML login started (see sessions.js):
 * it names a session record, it is not the record. Lax: it is read by
 * same-site requests only (`/session`); a Single Logout ends the session by
 * its NameID and SessionIndex, without this cookie.
 */
export const SESSION = { name: 'edge-sso-session', crossSitePost: false };

function isHttps(url) {
  return url.protocol === 'https:';
}

function cookieName(kind, url) {
  return isHttps(url) ? `__Host-${kind.name}` : kind.name;
}

function attributes(kind, url) {
  if (!isHttps(url)) return 'Path=/; HttpOnly; SameSite=Lax';
  return `Path=/; Secure; HttpOnly; SameSite=${kind.crossSitePost ? 'None' : 'Lax'}`;
}

/**
 * A Set-Cookie value that lives until `expiresAt` (ms since the epoch), the
 * expiry edge-sso gave the pending request. `value` must be cookie-safe.
 */
export function setCookie(kind, url, value, expiresAt) {
  const maxAge = Math.max(0, Math.floor((expiresAt - Date.now()) / 1000));
  return `${cookieName(kind, url)}=${value}; ${attributes(kind, url)}; Max-Age=${maxAge}`;
}

/** A Set-Cookie value that deletes the cookie: each pending login is finished once. */
export function clearCookie(kind, url) {
  return `${cookieName(kind, url)}=; ${attributes(kind, url)}; Max-Age=0`;
}

/**
 * The cookie's value, `undefined` when absent, or `null` when the name occurs
 * more than once (the worker never sets two, so someone else did).
 */
export function readCookie(kind, request, url) {
  const name = cookieName(kind, url);
  const values = (request.headers.get('cookie') ?? '')
    .split(';')
    .map((pair) => pair.trim())
    .filter((pair) => pair.startsWith(`${name}=`))
    .map((pair) => pair.slice(name.length + 1));
  if (values.length > 1) return null;
  return values[0] || undefined;
}
