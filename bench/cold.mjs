// Benchmark 5: cold instantiation.
// (a) Node: fresh child processes, each timing the package's init path
//     (bench/cold-node-child.mjs).
// (b) workerd: fresh `workerd serve` processes on a loopback port, timed from
//     spawn until the first HTTP response whose handler called into edge-sso
//     (the package's workerd entry, .wasm imported as a compiled module). The
//     same for a trivial worker without edge-sso gives the runtime's own start;
//     the difference is the wasm's share. The worker also reads the clock
//     around edge-sso's module evaluation, but workerd only advances timers on
//     I/O (Spectre mitigation), so that in-worker figure is expected to be 0.
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { elapsedMs, median, summarize } from './timing.mjs';
import { copyPackageModules } from '../tests/support/workerd-package.mjs';
import { stopProcess } from '../tests/support/process.mjs';

function nodeColdRun(root) {
  const out = execFileSync(process.execPath, [join(root, 'bench', 'cold-node-child.mjs')], { encoding: 'utf8' });
  return JSON.parse(out);
}

/** Median compile, instantiate and first-call times over `runs` fresh Node processes. */
export function benchNodeCold(root, runs) {
  console.error(`[bench] cold start: ${runs} Node processes`);
  const samples = Array.from({ length: runs }, () => nodeColdRun(root));
  const pick = (f) => summarize(samples.map(f));
  return {
    runs,
    compileAndInstantiateMs: pick((s) => s.compileMs + s.instantiateMs),
    compileMs: pick((s) => s.compileMs),
    instantiateMs: pick((s) => s.instantiateMs),
    firstCallMs: pick((s) => s.firstCallMs),
  };
}

// The package's `import` entry as an app imports it (the .wasm inlined as
// base64, decoded and compiled at import), against the same module read from
// its file: what inlining costs at start-up. Each in a fresh process.
const IMPORT_ENTRY = `const t = performance.now(); await import(process.argv[1]); console.log(performance.now() - t);`;
const IMPORT_FILE = `const t = performance.now();
const { readFileSync } = await import('node:fs');
const glue = await import(process.argv[1]);
glue.initSync({ module: readFileSync(new URL('edge_sso_bg.wasm', process.argv[1])) });
console.log(performance.now() - t);`;

/** Median import times of pkg/index.js and of glue + file read, over `runs` fresh Node processes each. */
export function benchNodeEntry(root, runs) {
  console.error(`[bench] entry import: ${runs} + ${runs} Node processes`);
  const run = (script, target) => Number(execFileSync(process.execPath,
    ['--input-type=module', '-e', script, pathToFileURL(join(root, target)).href], { encoding: 'utf8' }));
  return {
    runs,
    inlineImportMs: summarize(Array.from({ length: runs }, () => run(IMPORT_ENTRY, 'pkg/index.js'))),
    fileImportMs: summarize(Array.from({ length: runs }, () => run(IMPORT_FILE, 'pkg/edge_sso.js'))),
  };
}

/** The path of the workerd binary: the npm package's main export. */
async function workerdBinary() {
  const workerd = await import('workerd');
  return typeof workerd.default === 'string' ? workerd.default : workerd.default.default;
}

export async function workerdVersion() {
  return execFileSync(await workerdBinary(), ['--version'], { encoding: 'utf8' }).trim();
}

// Evaluated first (imported first), so the clock read here precedes edge-sso's
// module evaluation, i.e. its initSync.
const CLOCK_MODULE = 'export const startedAt = performance.now();\n';

const EDGE_SSO_WORKER = `import { startedAt } from './clock.js';
import { randomState } from 'edge-sso';
const initMs = performance.now() - startedAt;
export default {
  fetch() { return Response.json({ state: randomState(), initMs }); },
};
`;

const TRIVIAL_WORKER = `export default {
  fetch() { return Response.json({ ok: true }); },
};
`;

/** A worker directory with its capnp config, the package's workerd entry and .wasm when `withWasm`. */
function writeWorker(dir, withWasm) {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'worker.js'), withWasm ? EDGE_SSO_WORKER : TRIVIAL_WORKER);
  const modules = ['(name = "worker.js", esModule = embed "worker.js")'];
  if (withWasm) {
    writeFileSync(join(dir, 'clock.js'), CLOCK_MODULE);
    modules.push('(name = "clock.js", esModule = embed "clock.js")', ...copyPackageModules(dir));
  }
  // The socket's address comes from the command line (--socket-addr), an
  // ephemeral port per run.
  writeFileSync(join(dir, 'config.capnp'), `using Workerd = import "/workerd/workerd.capnp";
const config :Workerd.Config = (
  services = [ (name = "main", worker = .worker) ],
  sockets = [ (name = "http", service = "main", http = ()) ],
);
const worker :Workerd.Worker = (
  modules = [ ${modules.join(',\n    ')} ],
  compatibilityDate = "2025-01-01",
);
`);
  return join(dir, 'config.capnp');
}

/** The port workerd reports on its control fd once its socket listens. */
function listeningPort(control) {
  return new Promise((resolve, reject) => {
    let pending = '';
    control.on('data', (chunk) => {
      const lines = (pending + chunk).split('\n');
      pending = lines.pop(); // an incomplete last line waits for the next chunk
      const listen = lines.map((l) => JSON.parse(l)).find((m) => m.event === 'listen');
      if (listen) resolve(listen.port);
    });
    control.on('end', () => reject(new Error('workerd closed its control fd before listening')));
  });
}

/**
 * Spawns workerd on an ephemeral loopback port (reported on --control-fd, so
 * no polling) and times until its first response is read.
 * @returns {Promise<{ spawnToResponseMs: number, body: object }>}
 */
async function workerdColdRun(bin, config) {
  const start = process.hrtime.bigint();
  const proc = spawn(bin, ['serve', config, '--socket-addr=http=127.0.0.1:0', '--control-fd=3'],
    { stdio: ['ignore', 'ignore', 'inherit', 'pipe'] });
  try {
    const port = await listeningPort(proc.stdio[3]);
    const res = await fetch(`http://127.0.0.1:${port}/`);
    const body = await res.json();
    const spawnToResponseMs = elapsedMs(start);
    if (!res.ok) throw new Error(`workerd answered ${res.status}: ${JSON.stringify(body)}`);
    return { spawnToResponseMs, body };
  } finally {
    await stopProcess(proc);
  }
}

/**
 * Alternates runs with and without edge-sso so both see the same machine state.
 * @returns {Promise<object>} medians in ms
 */
export async function benchWorkerdCold(root, runs) {
  console.error(`[bench] cold start: ${runs}+${runs} workerd processes`);
  const bin = await workerdBinary();
  const dir = join(root, '.tmp', 'bench', 'workerd');
  const withWasm = writeWorker(join(dir, 'edge-sso'), true);
  const trivial = writeWorker(join(dir, 'trivial'), false);
  // Not samples: these warm the page cache, and Node's fetch (its first use loads undici).
  for (const config of [withWasm, trivial]) await workerdColdRun(bin, config);
  const edge = [];
  const base = [];
  for (let i = 0; i < runs; i++) {
    edge.push(await workerdColdRun(bin, withWasm));
    base.push((await workerdColdRun(bin, trivial)).spawnToResponseMs);
  }
  const edgeMs = edge.map((r) => r.spawnToResponseMs);
  return {
    runs,
    edgeSsoSpawnToResponseMs: summarize(edgeMs),
    trivialSpawnToResponseMs: summarize(base),
    wasmShareMs: median(edgeMs) - median(base),
    inWorkerInitMs: median(edge.map((r) => r.body.initMs)),
  };
}
