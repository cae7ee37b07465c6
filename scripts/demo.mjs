// The demo: a real OpenID Provider (oidc-provider, throwaway keys in this
// process) and a static server for www/ and the built package, both on
// 127.0.0.1 only. Used by `npm start` and by the browser tests.
import http from 'node:http';
import { readFile } from 'node:fs/promises';
import { join, extname, normalize, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startOp } from '../tests/support/op.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.wasm': 'application/wasm',
  '.json': 'application/json',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
};
const CLIENT_ID = 'edge-sso-demo';

function listen(server, port, host) {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve(server.address().port));
  });
}

/** Starts the page server and the OP. `port` 0 picks free ports. */
export async function startDemo({ port = 8080, opPort = port ? port + 1 : 0, host = '127.0.0.1' } = {}) {
  const pages = http.createServer();
  const pagePort = await listen(pages, port, host);
  const origin = `http://${host}:${pagePort}`;
  const redirectUri = `${origin}/callback.html`;
  const op = await startOp({ port: opPort, host, clients: [{ client_id: CLIENT_ID, redirect_uris: [redirectUri] }] });

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
    let path;
    try {
      path = decodeURIComponent(new URL(req.url, origin).pathname);
    } catch {
      res.writeHead(400, { 'content-type': 'text/plain' }).end('bad request');
      return;
    }
    if (path === '/config.json') {
      res.writeHead(200, { 'content-type': TYPES['.json'], 'cache-control': 'no-store' });
      res.end(JSON.stringify({ issuer: op.issuer, clientId: CLIENT_ID, redirectUri }));
      return;
    }
    // /pkg/* is the built package; everything else comes from www/.
    const rel = normalize(path === '/' ? '/index.html' : path).replace(/^(\.\.[/\\])+/, '');
    const file = rel.startsWith('/pkg/') ? join(root, rel) : join(root, 'www', rel);
    if (!file.startsWith(join(root, 'www')) && !file.startsWith(join(root, 'pkg'))) {
      res.writeHead(403).end();
      return;
    }
    try {
      const body = await readFile(file);
      res.writeHead(200, {
        'content-type': TYPES[extname(file)] ?? 'application/octet-stream',
        'content-security-policy': csp,
        'x-content-type-options': 'nosniff',
        'referrer-policy': 'no-referrer',
        'cache-control': 'no-store',
      });
      res.end(body);
    } catch {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
    }
  });

  return {
    pageUrl: `${origin}/`,
    issuer: op.issuer,
    close: async () => {
      pages.closeAllConnections?.();
      await new Promise((r) => pages.close(r));
      await op.close();
    },
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const port = Number(process.env.PORT ?? 8080);
  const demo = await startDemo({ port });
  console.log(`\nedge-sso demo ready\n  page:            ${demo.pageUrl}\n  OpenID Provider: ${demo.issuer} (any login and password)\n\nCtrl-C stops everything.`);
  const stop = async () => { await demo.close(); process.exit(0); };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}
