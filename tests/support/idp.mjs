// A real SAML IdP (npm `samlp`) on 127.0.0.1 for interop tests and the demo.
// Its signing key and certificate are made at start by the openssl CLI in a
// temporary directory and live in this process only; edge-sso never sees the key.
import http from 'node:http';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inflateRawSync } from 'node:zlib';
import samlp from 'samlp';
// samlp's list of an IdP session's participants (not re-exported by its index).
import SessionParticipants from 'samlp/lib/sessionParticipants/index.js';

/** The Orange profile's attributes, and its OrangeAPIToken, for a test user. */
export const ORANGE_USER = {
  nameId: '4b124ae2-0126-102b-8852-001a641049bb',
  attributes: {
    OrangeAPIToken: 'B64W7ElXGlIgvEdGOqlH9zuQQoSu1CS4QOSv9/NoPtNva4psRc+c5BFR3z0xc3DkZrelwNonn+fVG41RDBWZfdYovGxJvXZ9NTSLkMZeQwmN08=|sau=UNAVAILABLE|ted=1200503587|oJkued8sD2qnZiMj2HIDyLrpkhM=',
    gender: 'F', displayname: 'Alice L.', givenname: 'Alice', surname: 'Liddell',
    emailaddress: 'alice@example.test', postalcode: '75001', locality: 'Paris', country: 'FR',
    usertype: 'internet&mobile',
  },
};

function throwawayCertificate() {
  const dir = mkdtempSync(join(tmpdir(), 'edge-sso-idp-'));
  try {
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', join(dir, 'key.pem'),
      '-out', join(dir, 'cert.pem'), '-days', '2', '-subj', '/CN=edge-sso test IdP'], { stdio: 'ignore' });
    return { key: readFileSync(join(dir, 'key.pem'), 'utf8'), cert: readFileSync(join(dir, 'cert.pem'), 'utf8') };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const BINDINGS = {
  post: 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST',
  redirect: 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect',
};
const PERSISTENT = 'urn:oasis:names:tc:SAML:2.0:nameid-format:persistent';

/**
 * Starts the IdP. `sps` maps SP entity IDs to their ACS URL, or to
 * `{ acs, slo }`: samlp posts a signed Response to the ACS for the
 * AuthnRequest it receives at /sso (each with a fresh SessionIndex, listed in
 * `sessions`). With an `slo`, `GET /logout/start?sessionIndex=…&binding=post|redirect`
 * starts samlp's IdP-initiated Single Logout of that session (samlp.logout:
 * a LogoutRequest signed by samlp, as an auto-submitting form or a signed
 * redirect to the SP's SLO URL), and `GET /logout` takes the SP's
 * LogoutResponse (200 "OK" when samlp accepts it, 400 otherwise).
 * @returns {Promise<{ entityId: string, ssoUrl: string, sloUrl: string, url: string, certificate: string,
 *   metadataXml: () => string, sessions: Array<{ sp: string, nameId: string, sessionIndex: string }>,
 *   logoutsCompleted: () => number, close: () => Promise<void> }>}
 */
export async function startIdp({ sps, port = 0, host = '127.0.0.1', user = ORANGE_USER }) {
  const { key, cert } = throwawayCertificate();
  const server = http.createServer();
  await new Promise((resolve, reject) => {
    server.once('error', reject); // e.g. EADDRINUSE: reject rather than crash the process
    server.listen(port, host, resolve);
  });
  const base = `http://${host}:${server.address().port}`;
  const entityId = `${base}/metadata`;
  const registered = new Map(Object.entries(sps).map(([audience, to]) => [audience, typeof to === 'string' ? { acs: to } : to]));
  const sessions = [];
  // samlp takes Destination, Recipient and SessionIndex from its options
  // only, so each login gets its own middleware, pointing at that SP's ACS.
  const middlewareFor = (audience) => {
    const sp = registered.get(audience);
    if (!sp) return undefined;
    const sessionIndex = `_${randomBytes(16).toString('hex')}`;
    return samlp.auth({
      issuer: entityId,
      cert,
      key,
      lifetimeInSeconds: 300,
      destination: sp.acs,
      recipient: sp.acs,
      sessionIndex,
      getUserFromRequest: () => {
        sessions.push({ sp: audience, nameId: user.nameId, sessionIndex });
        return user;
      },
      profileMapper: () => ({
        getClaims: () => user.attributes,
        getNameIdentifier: () => ({ nameIdentifier: user.nameId, nameIdentifierFormat: PERSISTENT }),
      }),
      // Only registered SPs, only to their registered ACS.
      getPostURL: (aud, requestDom, req, cb) => cb(null, aud === audience ? sp.acs : null),
    });
  };
  // The Single Logout in progress (one at a time): samlp keeps its state in req.session.
  let logout;
  let logoutsCompleted = 0;
  const startLogout = (url) => {
    const session = sessions.find((s) => s.sessionIndex === url.searchParams.get('sessionIndex'));
    const slo = session && registered.get(session.sp).slo;
    const binding = BINDINGS[url.searchParams.get('binding') ?? 'post'];
    if (!slo || !binding) return undefined;
    const participant = {
      serviceProviderId: session.sp, nameId: session.nameId, nameIdFormat: PERSISTENT,
      sessionIndex: session.sessionIndex, serviceProviderLogoutURL: slo, binding,
    };
    logout = {
      session: {},
      middleware: samlp.logout({
        issuer: entityId, cert, key, deflate: true, protocolBinding: binding,
        sessionParticipants: new SessionParticipants([participant]),
      }),
    };
    return logout;
  };
  // Which SP is asking: the request's Issuer, read with Node's zlib (not with edge-sso).
  const issuerOf = (samlRequest) => {
    try {
      const xml = inflateRawSync(Buffer.from(samlRequest ?? '', 'base64')).toString('utf8');
      return xml.match(/<(?:\w+:)?Issuer[^>]*>([^<]*)<\/(?:\w+:)?Issuer>/)?.[1];
    } catch {
      return undefined;
    }
  };
  server.on('request', (req, res) => {
    const url = new URL(req.url, base);
    req.query = Object.fromEntries(url.searchParams);
    req.body = {};
    res.set = (k, v) => res.setHeader(k, v);
    res.send = (status, body) => {
      if (typeof status === 'number') { res.statusCode = status; res.end(body === undefined ? 'OK' : String(body)); } else res.end(status);
    };
    res.redirect = (location) => res.writeHead(302, { location }).end();
    if (req.method === 'GET' && (url.pathname === '/logout/start' || url.pathname === '/logout')) {
      const flow = url.pathname === '/logout/start' ? startLogout(url) : logout;
      if (!flow) {
        res.writeHead(404, { 'content-type': 'text/plain' }).end('no such session, or no SLO URL for its SP');
        return;
      }
      req.session = flow.session;
      const send = res.send;
      res.send = (status, body) => {
        if (url.pathname === '/logout' && status === 200) logoutsCompleted += 1;
        send(status, body);
      };
      flow.middleware(req, res, (err) => {
        res.writeHead(400, { 'content-type': 'text/plain' }).end(`samlp refused: ${err?.message ?? err}`);
      });
      return;
    }
    if (url.pathname !== '/sso' || req.method !== 'GET') {
      res.writeHead(404).end();
      return;
    }
    const middleware = middlewareFor(issuerOf(req.query.SAMLRequest));
    if (!middleware) {
      res.writeHead(401, { 'content-type': 'text/plain' }).end('unknown service provider');
      return;
    }
    middleware(req, res, (err) => {
      res.writeHead(400, { 'content-type': 'text/plain' }).end(`samlp refused the request: ${err?.message ?? err}`);
    });
  });
  // samlp's own metadata document (its metadata middleware), with its SSO and SLO endpoints.
  const metadataXml = () => {
    let xml;
    samlp.metadata({ issuer: entityId, cert, redirectEndpointPath: '/sso', postEndpointPath: '/sso', logoutEndpointPaths: { redirect: '/logout' } })(
      { headers: { host: new URL(base).host }, protocol: 'http', originalUrl: '/metadata' },
      { set: () => {}, send: (body) => { xml = body; } },
    );
    return xml;
  };
  return {
    entityId,
    url: base,
    ssoUrl: `${base}/sso`,
    sloUrl: `${base}/logout`,
    certificate: cert,
    metadataXml,
    sessions,
    logoutsCompleted: () => logoutsCompleted,
    close: () => new Promise((resolve) => { server.closeAllConnections?.(); server.close(() => resolve()); }),
  };
}

/** Reads samlp's auto-submitting form: { action, SAMLResponse, RelayState }. */
export function readPostForm(html) {
  const decode = (s) => s.replace(/&quot;/g, '"').replace(/&#x27;|&#39;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
  const action = html.match(/<form[^>]*action="([^"]*)"/i)?.[1];
  const field = (name) => html.match(new RegExp(`name="${name}"[^>]*value="([^"]*)"`, 'i'))?.[1];
  return {
    action: action && decode(action),
    SAMLResponse: field('SAMLResponse'),
    SAMLRequest: field('SAMLRequest'),
    RelayState: field('RelayState') && decode(field('RelayState')),
  };
}
