// A real SAML IdP (npm `samlp`) on 127.0.0.1 for interop tests and the demo.
// Its signing key and certificate are made at start by the openssl CLI in a
// temporary directory and live in this process only; edge-sso never sees the key.
import http from 'node:http';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inflateRawSync } from 'node:zlib';
import samlp from 'samlp';

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

/**
 * Starts the IdP. `sps` maps SP entity IDs to their ACS URL: samlp posts a
 * signed Response there for the AuthnRequest it receives at /sso.
 * @returns {Promise<{ entityId: string, ssoUrl: string, certificate: string, close: () => Promise<void> }>}
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
  // samlp takes Destination and Recipient from its options only, so there is
  // one middleware per registered SP, each pointing at that SP's ACS.
  const middlewares = new Map(Object.entries(sps).map(([audience, acs]) => [audience, samlp.auth({
    issuer: entityId,
    cert,
    key,
    lifetimeInSeconds: 300,
    destination: acs,
    recipient: acs,
    getUserFromRequest: () => user,
    profileMapper: () => ({
      getClaims: () => user.attributes,
      getNameIdentifier: () => ({ nameIdentifier: user.nameId, nameIdentifierFormat: 'urn:oasis:names:tc:SAML:2.0:nameid-format:persistent' }),
    }),
    // Only registered SPs, only to their registered ACS.
    getPostURL: (aud, requestDom, req, cb) => cb(null, aud === audience ? acs : null),
  })]));
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
    if (url.pathname !== '/sso' || req.method !== 'GET') {
      res.writeHead(404).end();
      return;
    }
    req.query = Object.fromEntries(url.searchParams);
    res.set = (k, v) => res.setHeader(k, v);
    res.send = (status, body) => {
      if (typeof status === 'number') { res.statusCode = status; res.end(body === undefined ? '' : String(body)); } else res.end(status);
    };
    const middleware = middlewares.get(issuerOf(req.query.SAMLRequest));
    if (!middleware) {
      res.writeHead(401, { 'content-type': 'text/plain' }).end('unknown service provider');
      return;
    }
    middleware(req, res, (err) => {
      res.writeHead(400, { 'content-type': 'text/plain' }).end(`samlp refused the request: ${err?.message ?? err}`);
    });
  });
  return {
    entityId,
    ssoUrl: `${base}/sso`,
    certificate: cert,
    close: () => new Promise((resolve) => { server.closeAllConnections?.(); server.close(() => resolve()); }),
  };
}

/** Reads samlp's auto-submitting form: { action, SAMLResponse, RelayState }. */
export function readPostForm(html) {
  const decode = (s) => s.replace(/&quot;/g, '"').replace(/&#x27;|&#39;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
  const action = html.match(/<form[^>]*action="([^"]*)"/i)?.[1];
  const field = (name) => html.match(new RegExp(`name="${name}"[^>]*value="([^"]*)"`, 'i'))?.[1];
  return { action: action && decode(action), SAMLResponse: field('SAMLResponse'), RelayState: field('RelayState') && decode(field('RelayState')) };
}
