// Runs the example edge worker (examples/edge-worker) in real workerd on
// 127.0.0.1, for the tests and the demo. The package's `workerd` export is a
// module of the worker, so the .wasm is a compiled module as on Cloudflare.
import { spawn } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { copyPackageModules } from './workerd-package.mjs';
import { stopProcess } from './process.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const WORKER_SRC = join(root, 'examples/edge-worker/src');
const COMPATIBILITY_DATE = '2025-01-01';

/** A free TCP port on 127.0.0.1, to know the worker's URLs before it starts. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/**
 * The URLs a worker on `port` will have: the IdP must know the ACS (and the
 * OP the redirect URI) before the worker, which needs the IdP's certificate.
 */
export function workerUrls(port) {
  const url = `http://127.0.0.1:${port}`;
  return {
    url,
    acsUrl: `${url}/saml/acs`,
    spEntityId: `${url}/saml/metadata`,
    oauthRedirectUri: `${url}/oauth/callback`,
    /** The URLs of the SP that faces IdP `key` (SAML_IDPS; the worker's idps.js spUrls). */
    forIdp: (key) => ({
      spEntityId: `${url}/saml/${key}/metadata`,
      acsUrl: `${url}/saml/${key}/acs`,
      sloUrl: `${url}/saml/${key}/slo`,
    }),
  };
}

/**
 * Starts the example worker in workerd on 127.0.0.1.
 *
 * @param {object} options
 * @param {number} [options.port] 0 (default) picks a free port.
 * @param {{ entityId: string, ssoUrl: string, certificate: string }} [options.idp] e.g. startIdp()'s result:
 *   the single-IdP routes (SAML_SP); without it they are not configured
 * @param {Record<string, { metadataXml: string, entityId?: string, signerCertificates?: string[] }>} [options.idps]
 *   the SAML_IDPS binding's IdPs, by path key (/saml/<key>/...), with the worker's base URL as spBaseUrl
 * @param {{ issuer: string, clientId: string, scope?: string }} [options.op] a public client at an OP
 *   (its endpoints are read from the OP's discovery document); without it /oauth/* answer 404.
 * @param {string} [options.allowedOpenerOrigin] the origin the outcome page posts to (window.opener)
 * @param {string} [options.storageDir] where the Durable Object storage lives; default a fresh temp dir
 * @param {number} [options.replicas] 1 (default), or more: extra copies of the worker, each in its
 *   own isolate on its own port with the same configuration, sharing the one ReplayGuard namespace
 *   (like other locations of one site). Their base URLs are in `replicaUrls`.
 * @param {boolean} [options.faults] also two faulty copies, each in its own isolate on its own port:
 *   `faultUrls.sessionsDown`, whose SESSIONS binding is a Durable Object namespace every call to which
 *   fails, and `faultUrls.guardDown`, the same for REPLAY_GUARD; their other binding is the real one.
 * @param {boolean} [options.probe] also a test-only worker at `probeUrl` that calls the real
 *   ReplayGuard namespace directly: `POST /remember` `{ assertionId, expiresAt, retryKey, leaseMs }`
 *   answers `{ first }` or `{ error }`, `POST /confirm` `{ assertionId, retryKey }` answers
 *   `{ confirmed }`, and both report `objectId`, the object's ID (its storage file's name).
 * @returns {Promise<{ url: string, acsUrl: string, spEntityId: string, oauthRedirectUri: string,
 *   replicaUrls: string[], faultUrls?: { sessionsDown: string, guardDown: string }, probeUrl?: string, storageDir: string,
 *   restart: () => Promise<void>, close: () => Promise<void> }>}
 */
export async function startWorker({ port = 0, idp, idps, op, allowedOpenerOrigin, storageDir, replicas = 1, faults = false, probe = false }) {
  const ports = [port || await freePort()];
  while (ports.length < replicas) ports.push(await freePort());
  const faultPorts = faults ? [await freePort(), await freePort()] : [];
  const probePort = probe ? await freePort() : undefined;
  const urls = workerUrls(ports[0]);
  const dir = mkdtempSync(join(tmpdir(), 'edge-sso-worker-'));
  const ownStorage = !storageDir;
  storageDir ??= mkdtempSync(join(tmpdir(), 'edge-sso-replay-'));

  const modules = copyModules(dir);
  if (faults) writeFileSync(join(dir, 'faults.js'), FAULTS_MODULE);
  if (probe) writeFileSync(join(dir, 'probe.js'), PROBE_MODULE);
  const bindings = [];
  if (idp) {
    writeFileSync(join(dir, 'saml-sp.json'), JSON.stringify({
      entityId: urls.spEntityId,
      acsUrl: urls.acsUrl,
      idp: { entityId: idp.entityId, ssoRedirectUrl: idp.ssoUrl, certificates: idp.certificate },
    }));
    bindings.push('(name = "SAML_SP", json = embed "saml-sp.json")');
  }
  if (idps) {
    writeFileSync(join(dir, 'saml-idps.json'), JSON.stringify({ spBaseUrl: urls.url, idps }));
    bindings.push('(name = "SAML_IDPS", json = embed "saml-idps.json")');
  }
  if (op) {
    writeFileSync(join(dir, 'oauth-client.json'), JSON.stringify(await oauthClientConfig(op, urls.oauthRedirectUri)));
    bindings.push('(name = "OAUTH_CLIENT", json = embed "oauth-client.json")');
  }
  if (allowedOpenerOrigin) {
    writeFileSync(join(dir, 'opener-origin.txt'), allowedOpenerOrigin);
    bindings.push('(name = "ALLOWED_OPENER_ORIGIN", text = embed "opener-origin.txt")');
  }
  const configPath = join(dir, 'config.capnp');
  writeFileSync(configPath, capnpConfig({ ports, faultPorts, probePort, modules, bindings, storageDir }));

  const workerd = await workerdBinary();
  const bases = ports.map((p) => `http://127.0.0.1:${p}`);
  const faultBases = faultPorts.map((p) => `http://127.0.0.1:${p}`);
  const probeBase = probe ? `http://127.0.0.1:${probePort}` : undefined;
  let running;
  const start = async () => {
    running = await spawnWorkerd(workerd, configPath, [...bases, ...faultBases, ...(probeBase ? [probeBase] : [])]);
  };
  const killOnExit = () => running?.kill();
  const cleanUp = () => {
    process.off('exit', killOnExit);
    rmSync(dir, { recursive: true, force: true });
    if (ownStorage) rmSync(storageDir, { recursive: true, force: true });
  };
  process.on('exit', killOnExit);
  try {
    await start();
  } catch (error) {
    cleanUp();
    throw error;
  }
  return {
    ...urls,
    replicaUrls: bases,
    ...(faults ? { faultUrls: { sessionsDown: faultBases[0], guardDown: faultBases[1] } } : {}),
    ...(probe ? { probeUrl: probeBase } : {}),
    storageDir,
    /** Kills workerd and starts it again on the same ports with the same storage. */
    restart: async () => {
      await running.stop();
      await start();
    },
    close: async () => {
      await running.stop();
      cleanUp();
    },
  };
}

/** Copies the worker's modules and the built package; returns the capnp module list. */
function copyModules(dir) {
  // One flat directory: workerd resolves a bare `edge-sso` next to the importer.
  const modules = [];
  for (const file of readdirSync(WORKER_SRC).filter((f) => f.endsWith('.js')).sort()) {
    copyFileSync(join(WORKER_SRC, file), join(dir, file));
    modules.push(`(name = "${file}", esModule = embed "${file}")`);
  }
  // The package's workerd entry imports its siblings by relative path.
  modules.push(...copyPackageModules(dir));
  // The entry point must come first.
  const main = modules.findIndex((m) => m.startsWith('(name = "index.js"'));
  return [modules[main], ...modules.filter((_, i) => i !== main)];
}

/** The OP's endpoints from its discovery document, as an OAuthClientConfig (public client). */
async function oauthClientConfig({ issuer, clientId, scope = 'openid profile' }, redirectUri) {
  const res = await fetch(`${issuer}/.well-known/openid-configuration`);
  if (!res.ok) throw new Error(`OP discovery failed: HTTP ${res.status}`);
  const meta = await res.json();
  if (meta.issuer !== issuer) throw new Error(`OP discovery names issuer ${meta.issuer}, expected ${issuer}`);
  return {
    authorizationEndpoint: meta.authorization_endpoint,
    tokenEndpoint: meta.token_endpoint,
    issuer,
    issParameterSupported: meta.authorization_response_iss_parameter_supported === true,
    clientId,
    redirectUri,
    scope,
  };
}

// The test-only service behind `faults`: Durable Object classes every call to which fails,
// as a store that is down (overloaded, unreachable) fails.
const FAULTS_MODULE = `import { DurableObject } from 'cloudflare:workers';
const down = (what) => { throw new Error(\`\${what} is down (test fault)\`); };
export class DownSessionDirectory extends DurableObject {
  async open() { down('SessionDirectory'); }
  async lookup() { down('SessionDirectory'); }
  async end() { down('SessionDirectory'); }
}
export class DownReplayGuard extends DurableObject {
  async remember() { down('ReplayGuard'); }
}
export default { fetch: () => new Response('test faults', { status: 404 }) };
`;

// The test-only service behind `probe`: the ReplayGuard's RPC methods over HTTP, to play
// an isolate whose answer was lost, and the object IDs, to find their storage on disk.
const PROBE_MODULE = `export default {
  async fetch(request, env) {
    const { pathname } = new URL(request.url);
    if (request.method !== 'POST') return new Response('probe', { status: 404 });
    const { assertionId, expiresAt, retryKey, leaseMs } = await request.json();
    const id = env.REPLAY_GUARD.idFromName(assertionId);
    const guard = env.REPLAY_GUARD.get(id);
    const objectId = id.toString();
    try {
      if (pathname === '/remember') return Response.json({ first: await guard.remember(assertionId, expiresAt, retryKey, leaseMs), objectId });
      if (pathname === '/confirm') return Response.json({ confirmed: await guard.confirm(assertionId, retryKey), objectId });
    } catch (error) {
      return Response.json({ error: String(error.message ?? error), objectId });
    }
    return new Response('probe', { status: 404 });
  },
};
`;

// capnp text literals: every value that is not ours is embedded from a file,
// so only paths and fixed names appear here.
function capnpConfig({ ports, faultPorts = [], probePort, modules, bindings, storageDir }) {
  const worker = (name, replayGuard, sessions) => `const ${name} :Workerd.Worker = (
  modules = [
    ${modules.join(',\n    ')},
  ],
  compatibilityDate = "${COMPATIBILITY_DATE}",
  bindings = [
    ${bindings.map((b) => `${b},\n    `).join('')}(name = "REPLAY_GUARD", durableObjectNamespace = ${replayGuard}),
    (name = "SESSIONS", durableObjectNamespace = ${sessions}),
  ],
  globalOutbound = "loopback",
`;
  const replicas = ports.slice(1).map((_, i) => `replica${i + 1}`);
  const real = (className) => `(className = "${className}", serviceName = "edge")`;
  const down = (className) => `(className = "${className}", serviceName = "faults")`;
  // [service, port, REPLAY_GUARD, SESSIONS] of each faulty copy.
  const faulty = faultPorts.length ? [
    ['sessions-down', faultPorts[0], real('ReplayGuard'), down('DownSessionDirectory')],
    ['guard-down', faultPorts[1], down('DownReplayGuard'), real('SessionDirectory')],
  ] : [];
  const constName = (service) => service.replace(/-(.)/g, (_, c) => c.toUpperCase());
  return `using Workerd = import "/workerd/workerd.capnp";

const config :Workerd.Config = (
  services = [
    (name = "edge", worker = .edge),
    ${replicas.map((r) => `(name = "${r}", worker = .${r}),`).join('\n    ')}
    ${faulty.map(([service]) => `(name = "${service}", worker = .${constName(service)}),`).join('\n    ')}
    ${faulty.length ? '(name = "faults", worker = .faults),' : ''}
    ${probePort ? '(name = "probe", worker = .probe),' : ''}
    (name = "replay-storage", disk = (path = ${JSON.stringify(storageDir)}, writable = true)),
    # Local development: the IdP and the OP run on 127.0.0.1. On Cloudflare, fetch reaches the internet.
    (name = "loopback", network = (allow = ["local"])),
  ],
  sockets = [
    ${ports.map((p, i) => `(name = "http${i}", address = "127.0.0.1:${p}", service = "${i ? replicas[i - 1] : 'edge'}",
      # As behind a TLS-terminating proxy: lets the tests exercise the https cookie rules.
      http = (forwardedProtoHeader = "X-Forwarded-Proto"))`).join(',\n    ')},
    ${faulty.map(([service, port]) => `(name = "${service}", address = "127.0.0.1:${port}", service = "${service}"),`).join('\n    ')}
    ${probePort ? `(name = "probe", address = "127.0.0.1:${probePort}", service = "probe"),` : ''}
  ],
);

${worker('edge', '"ReplayGuard"', '"SessionDirectory"')}  durableObjectNamespaces = [
    (className = "ReplayGuard", uniqueKey = "edge-sso-example-replay-guard"),
    (className = "SessionDirectory", uniqueKey = "edge-sso-example-sessions"),
  ],
  durableObjectStorage = (localDisk = "replay-storage"),
);
${replicas.map((r) => `
${worker(r, real('ReplayGuard'), real('SessionDirectory'))});`).join('\n')}
${faulty.map(([service, , guard, sessions]) => `
${worker(constName(service), guard, sessions)});`).join('\n')}
${faulty.length ? `
const faults :Workerd.Worker = (
  modules = [(name = "faults.js", esModule = embed "faults.js")],
  compatibilityDate = "${COMPATIBILITY_DATE}",
  durableObjectNamespaces = [
    (className = "DownSessionDirectory", uniqueKey = "edge-sso-test-sessions-down"),
    (className = "DownReplayGuard", uniqueKey = "edge-sso-test-guard-down"),
  ],
  durableObjectStorage = (inMemory = void),
);
` : ''}${probePort ? `
const probe :Workerd.Worker = (
  modules = [(name = "probe.js", esModule = embed "probe.js")],
  compatibilityDate = "${COMPATIBILITY_DATE}",
  bindings = [(name = "REPLAY_GUARD", durableObjectNamespace = ${real('ReplayGuard')})],
);
` : ''}`;
}

async function workerdBinary() {
  // The npm package's default export is the path of its platform binary.
  const workerd = await import('workerd');
  return typeof workerd.default === 'string' ? workerd.default : workerd.default.default;
}

/**
 * Spawns workerd and resolves once every socket answers, with `stop()` (SIGTERM,
 * then SIGKILL after a grace period; resolves once it has exited) and `kill()`;
 * rejects with workerd's stderr if it does not come up.
 */
async function spawnWorkerd(bin, configPath, bases) {
  const proc = spawn(bin, ['serve', configPath], { stdio: ['ignore', 'inherit', 'pipe'] });
  // Until it is up, stderr is kept for the error; then it is passed on (the
  // worker logs unexpected errors there), and an exit of its own is reported.
  let up = false;
  let stderr = '';
  proc.stderr.on('data', (chunk) => {
    if (up) process.stderr.write(`[workerd] ${chunk}`);
    else stderr += chunk;
  });
  const exited = new Promise((resolve) => proc.once('exit', resolve));
  exited.then((code) => {
    if (up) process.stderr.write(`[workerd] exited unexpectedly (${code})\n`);
  });
  const stop = async () => {
    up = false;
    await stopProcess(proc);
  };
  for (let attempt = 0; attempt < 200 && proc.exitCode === null; attempt++) {
    if (await allAnswer(bases)) {
      up = true;
      return { stop, kill: () => proc.kill('SIGKILL') };
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  await stop();
  throw new Error(`workerd did not start:\n${stderr}`);
}

async function allAnswer(bases) {
  try {
    // Bounded: something else listening on the port may never answer.
    for (const base of bases) await (await fetch(`${base}/config`, { signal: AbortSignal.timeout(2000) })).arrayBuffer();
    return true;
  } catch {
    return false;
  }
}
