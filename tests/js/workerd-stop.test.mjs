// Stopping workerd with a keep-alive connection open in the middle of a
// request: workerd drains on SIGTERM, waiting for the request being received,
// and an upload that never ends kept it running for ever (measured: still
// running 15 s after SIGTERM, where an idle connection lets it exit at once).
// tests/support/process.mjs's stopProcess, used by every harness that starts
// workerd, follows SIGTERM with SIGKILL after a grace period; with SIGTERM
// alone this test never ends (and fails on its timeout).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import http from 'node:http';
import { connect } from 'node:net';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../support/worker.mjs';
import { stopProcess } from '../support/process.mjs';

const WORKER = `export default {
  async fetch(request) {
    if (request.method === 'POST') await request.text();
    return new Response('ok');
  },
};
`;

async function workerdBinary() {
  const workerd = await import('workerd');
  return typeof workerd.default === 'string' ? workerd.default : workerd.default.default;
}

function answers(port) {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => { socket.destroy(); resolve(true); });
    socket.once('error', () => resolve(false));
  });
}

test('workerd is stopped with a keep-alive connection open mid-upload', { timeout: 60_000 }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'edge-sso-workerd-stop-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const port = await freePort();
  writeFileSync(join(dir, 'worker.js'), WORKER);
  writeFileSync(join(dir, 'config.capnp'), `using Workerd = import "/workerd/workerd.capnp";
const config :Workerd.Config = (
  services = [ (name = "main", worker = .worker) ],
  sockets = [ (name = "http", address = "127.0.0.1:${port}", http = (), service = "main") ],
);
const worker :Workerd.Worker = (
  modules = [ (name = "worker.js", esModule = embed "worker.js") ],
  compatibilityDate = "2025-01-01",
);
`);
  const proc = spawn(await workerdBinary(), ['serve', join(dir, 'config.capnp')], { stdio: ['ignore', 'ignore', 'inherit'] });
  t.after(() => proc.kill('SIGKILL'));
  let up = false;
  for (let i = 0; i < 200 && !up && proc.exitCode === null; i++) {
    up = await answers(port);
    if (!up) await new Promise((r) => setTimeout(r, 50));
  }
  assert.ok(up, 'workerd listens');

  // An idle keep-alive connection from a pooling agent...
  const agent = new http.Agent({ keepAlive: true });
  t.after(() => agent.destroy());
  const body = await new Promise((resolve, reject) => {
    http.get(`http://127.0.0.1:${port}/`, { agent }, (res) => {
      let text = '';
      res.on('data', (c) => { text += c; });
      res.on('end', () => resolve(text));
    }).once('error', reject);
  });
  assert.equal(body, 'ok');
  // ...and one in the middle of a chunked upload that has not ended.
  const upload = connect(port, '127.0.0.1');
  t.after(() => upload.destroy());
  await new Promise((r) => upload.once('connect', r));
  upload.write('POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: keep-alive\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n');
  // The worker is reading the body once the request has been dispatched:
  // a second request on another connection answers after it.
  assert.equal(await (await fetch(`http://127.0.0.1:${port}/`)).text(), 'ok');

  const ended = await stopProcess(proc, { graceMs: 1000 });
  assert.ok(proc.exitCode !== null || proc.signalCode !== null, 'the process has exited');
  t.diagnostic(`workerd ended by ${ended.signal ?? `exit code ${ended.code}`}`);
  assert.equal(await answers(port), false, 'nothing listens on its port any more');
});
