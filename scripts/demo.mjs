// The demo: every party of a single sign-on, on 127.0.0.1 only, started by
// `npm start` (after the build) and by the browser tests.
//
//   page    www/ and the built package, under a strict CSP       PORT        8080
//   OP      oidc-provider: the page's and the worker's public    OP_PORT     PORT+1
//           clients, PKCE required
//   IdP     samlp: signs for the worker's service provider       IDP_PORT    PORT+2
//   worker  examples/edge-worker in workerd: SAML ACS, OAuth      WORKER_PORT 8787
//           callback, Durable Object replay store; posts its
//           outcomes to the page's origin
//
// Every key (the OP's signing key and cookie secret, the IdP's signing key) is
// made at start and lives only in these processes.
import http from 'node:http';
import net from 'node:net';
import { readFile } from 'node:fs/promises';
import { join, extname, normalize, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startOp } from '../tests/support/op.mjs';
import { startIdp, readPostForm } from '../tests/support/idp.mjs';
import { startWorker, workerUrls, freePort } from '../tests/support/worker.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const HOST = '127.0.0.1';
const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.wasm': 'application/wasm',
  '.json': 'application/json',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
};
const PAGE_CLIENT_ID = 'edge-sso-demo';
const WORKER_CLIENT_ID = 'edge-sso-worker';

function listen(server, port) {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, HOST, () => resolve(server.address().port));
  });
}

/**
 * workerd binds the worker's port itself and, when it is taken, fails in a
 * child process; find out here, and say which port.
 */
function ensureFree(port) {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', (error) => reject(new Error(`the worker's port ${port} is not free (${error.code})`)));
    probe.listen(port, HOST, () => probe.close(resolve));
  });
}

function sendJson(res, status, body) {
  res.writeHead(status, { 'content-type': TYPES['.json'], 'cache-control': 'no-store' });
  res.end(JSON.stringify(body));
}

/**
 * GET /saml-answer?SAMLRequest=…: sends the page's AuthnRequest to the IdP
 * (and only there) and returns the signed SAMLResponse from the form the IdP
 * answers with, so the page can validate a genuine response. A convenience
 * of the demo: a real IdP posts its answer to the ACS, not to a page.
 */
async function samlAnswer(idp, url, res) {
  const samlRequest = url.searchParams.get('SAMLRequest');
  if (!samlRequest) {
    sendJson(res, 400, { message: 'SAMLRequest is missing' });
    return;
  }
  const answer = await fetch(`${idp.ssoUrl}?SAMLRequest=${encodeURIComponent(samlRequest)}`);
  const html = await answer.text();
  const form = answer.ok ? readPostForm(html) : {};
  if (!form.SAMLResponse) {
    sendJson(res, 502, { message: `the IdP answered HTTP ${answer.status} without a SAMLResponse` });
    return;
  }
  sendJson(res, 200, { samlResponse: form.SAMLResponse, action: form.action });
}

/** The static files: /pkg/* is the built package, everything else comes from www/. */
async function serveFile(path, res, csp) {
  const rel = normalize(path === '/' ? '/index.html' : path).replace(/^(\.\.[/\\])+/, '');
  const file = rel.startsWith('/pkg/') ? join(root, rel) : join(root, 'www', rel);
  if (!file.startsWith(join(root, 'www')) && !file.startsWith(join(root, 'pkg'))) {
    res.writeHead(403).end();
    return;
  }
  let body;
  try {
    body = await readFile(file);
  } catch {
    res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
    return;
  }
  res.writeHead(200, {
    'content-type': TYPES[extname(file)] ?? 'application/octet-stream',
    'content-security-policy': csp,
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
    'cache-control': 'no-store',
  });
  res.end(body);
}

/**
 * Starts the page, the OP, the IdP and the worker. `port: 0` picks free ports
 * for all four (the tests); otherwise OP and IdP take the next two ports.
 * @returns {Promise<{ pageUrl: string, issuer: string, provider: import('oidc-provider').default,
 *   idp: { entityId: string, ssoUrl: string }, worker: { url: string, acsUrl: string, spEntityId: string,
 *   samlLoginUrl: string, oauthLoginUrl: string }, close: () => Promise<void> }>}
 *   `provider` is the OP's oidc-provider instance, for tests that watch what it issues;
 *   `opMiddleware` (Koa middleware for the OP) lets them see its answers.
 */
export async function startDemo({
  port = 8080,
  opPort = port && port + 1,
  idpPort = port && port + 2,
  workerPort = port && 8787,
  opMiddleware = [],
} = {}) {
  // Stop what already started if a later party fails to start.
  const closers = [];
  const close = async () => {
    for (const c of closers.splice(0).reverse()) await c();
  };
  try {
    const pages = http.createServer();
    const origin = `http://${HOST}:${await listen(pages, port)}`;
    closers.push(() => {
      pages.closeAllConnections();
      return new Promise((r) => pages.close(r));
    });
    const redirectUri = `${origin}/callback.html`;

    // The IdP and the OP must know the worker's URLs before it starts (it
    // needs the IdP's certificate and reads the OP's discovery document).
    if (workerPort) await ensureFree(workerPort);
    const workerListenPort = workerPort || await freePort();
    const planned = workerUrls(workerListenPort);
    const op = await startOp({
      port: opPort,
      host: HOST,
      clients: [
        { client_id: PAGE_CLIENT_ID, redirect_uris: [redirectUri] },
        { client_id: WORKER_CLIENT_ID, redirect_uris: [planned.oauthRedirectUri] },
      ],
      revocation: true, // the page's logout revokes (edge-sso/session)
      middleware: opMiddleware,
    });
    closers.push(op.close);
    const idp = await startIdp({ port: idpPort, host: HOST, sps: { [planned.spEntityId]: planned.acsUrl } });
    closers.push(idp.close);
    const worker = await startWorker({
      port: workerListenPort,
      idp,
      op: { issuer: op.issuer, clientId: WORKER_CLIENT_ID },
      allowedOpenerOrigin: origin,
    });
    closers.push(worker.close);

    const config = {
      issuer: op.issuer,
      clientId: PAGE_CLIENT_ID,
      redirectUri,
      saml: {
        spEntityId: worker.spEntityId,
        acsUrl: worker.acsUrl,
        idp: { entityId: idp.entityId, ssoUrl: idp.ssoUrl, certificate: idp.certificate },
      },
      worker: {
        origin: worker.url,
        samlLoginUrl: `${worker.url}/saml/login`,
        oauthLoginUrl: `${worker.url}/oauth/login`,
      },
    };
    // The page talks to itself and the OP; it only opens popups to the OP and the worker.
    const csp = [
      "default-src 'self'",
      "script-src 'self' 'wasm-unsafe-eval'",
      `connect-src 'self' ${op.issuer}`,
      "img-src 'self' data:",
      "style-src 'self'",
      "base-uri 'none'",
      "form-action 'none'",
      "frame-ancestors 'none'",
    ].join('; ');

    pages.on('request', async (req, res) => {
      let url;
      let path;
      try {
        url = new URL(req.url, origin);
        path = decodeURIComponent(url.pathname);
      } catch {
        res.writeHead(400, { 'content-type': 'text/plain' }).end('bad request');
        return;
      }
      try {
        if (path === '/config.json') sendJson(res, 200, config);
        else if (path === '/saml-answer') await samlAnswer(idp, url, res);
        else await serveFile(path, res, csp);
      } catch (error) {
        console.error('[demo]', error);
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
        res.end('internal error');
      }
    });

    return {
      pageUrl: `${origin}/`,
      issuer: op.issuer,
      provider: op.provider,
      idp: { entityId: idp.entityId, ssoUrl: idp.ssoUrl },
      worker: { url: worker.url, acsUrl: worker.acsUrl, spEntityId: worker.spEntityId, ...config.worker },
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}

/** `npm start`: ports from the environment, URLs printed, every party stopped on Ctrl-C or SIGTERM. */
async function main() {
  let demo;
  let stopping = false;
  // Installed before starting: a signal during start-up still ends the
  // process, and worker.mjs kills workerd when this process exits.
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    await demo?.close();
    process.exit(0);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);

  const env = (name) => (process.env[name] === undefined ? undefined : Number(process.env[name]));
  try {
    demo = await startDemo({
      port: env('PORT'), opPort: env('OP_PORT'), idpPort: env('IDP_PORT'), workerPort: env('WORKER_PORT'),
    });
  } catch (error) {
    console.error(`\nThe demo did not start: ${error.message}`);
    console.error('Ports: PORT (page, 8080), OP_PORT (PORT+1), IDP_PORT (PORT+2), WORKER_PORT (8787).');
    process.exit(1);
  }
  console.log(`
edge-sso demo ready

  page             ${demo.pageUrl}
  OpenID Provider  ${demo.issuer}  (log in with any name and password)
  SAML IdP         ${demo.idp.ssoUrl}  (entity ${demo.idp.entityId}; logs in Alice at once)
  edge worker      ${demo.worker.url}  (workerd: ACS ${demo.worker.acsUrl}, /saml/login, /oauth/login, /config)

Ctrl-C stops everything.`);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await main();
