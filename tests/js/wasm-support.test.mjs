// Before the first call: a runtime without SIMD, without WebAssembly, or
// one that refuses to compile it must get an EdgeSsoError that says what to
// do, not V8's "invalid opcode" or a bare ReferenceError, and never from the
// import itself. Node has all of them, so the other side is made: the
// probe's answer passed in, WebAssembly removed with V8's --no-expose-wasm,
// and the module's own state (wasm-support.js) loaded afresh per case.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { explainCompileFailure, hasWasmSimd, EdgeSsoError } from '../../pkg/wasm-support.js';

let fresh = 0;
const freshSupport = () => import(`../../pkg/wasm-support.js?case=${(fresh += 1)}`);

test('the SIMD probe is a valid module here, and the full module really uses SIMD', () => {
  assert.equal(hasWasmSimd(), true);
  const full = readFileSync(new URL('../../pkg/edge_sso_bg.wasm', import.meta.url));
  const oauth = readFileSync(new URL('../../pkg/oauth/edge_sso_oauth_bg.wasm', import.meta.url));
  const usesSimd = (bytes) => WebAssembly.Module.exports(new WebAssembly.Module(bytes)).length > 0
    && bytes.includes(Buffer.from([0xfd, 0xde, 0x01])); // i64x2.extmul_low_i32x4_u
  assert.equal(usesSimd(full), true, 'the full module multiplies with i64x2.extmul_low_i32x4_u');
  assert.equal(oauth.includes(Buffer.from([0xfd, 0xde, 0x01])), false, 'the OAuth-only module does not');
});

test('a compile error on a runtime without SIMD becomes runtime.wasm_simd_missing', () => {
  const compileError = new WebAssembly.CompileError('invalid opcode 0xfd');
  const e = explainCompileFailure(compileError, false);
  assert.equal(e.name, 'EdgeSsoError');
  assert.equal(e.code, 'runtime.wasm_simd_missing');
  assert.match(e.message, /WebAssembly SIMD/);
  assert.match(e.message, /edge-sso\/oauth/);
  assert.equal(e.cause, compileError);
});

test('other failures pass through unchanged', () => {
  const compileError = new WebAssembly.CompileError('something else');
  assert.equal(explainCompileFailure(compileError, true), compileError, 'SIMD present: not the cause');
  const other = new TypeError('fetch failed');
  assert.equal(explainCompileFailure(other, false), other, 'not a compile error');
});

test('a policy that refuses to compile becomes runtime.wasm_refused and names wasm-unsafe-eval', () => {
  for (const text of [
    "WebAssembly.Module(): Refused to compile or instantiate WebAssembly module because 'unsafe-eval' is not an allowed source of script",
    'call to WebAssembly.Module() blocked by CSP',
    'WebAssembly.Module(): Wasm code generation disallowed by embedder',
  ]) {
    const e = explainCompileFailure(new WebAssembly.CompileError(text), true);
    assert.ok(e instanceof EdgeSsoError, text);
    assert.equal(e.code, 'runtime.wasm_refused');
    assert.match(e.message, /'wasm-unsafe-eval'/);
  }
});

test('EdgeSsoError: instanceof holds for the errors of either entry and of the CommonJS build', async () => {
  const full = await import('edge-sso');
  const oauth = await import('edge-sso/oauth');
  const { createRequire } = await import('node:module');
  const cjs = createRequire(import.meta.url)('edge-sso');
  const thrown = (f) => { try { f(); } catch (e) { return e; } throw new Error('did not throw'); };
  const errors = [thrown(() => full.decodePost('!')), thrown(() => oauth.createPkce({ method: 'plain' })),
    thrown(() => cjs.pkceChallenge('short'))];
  for (const e of errors) {
    for (const Class of [full.EdgeSsoError, oauth.EdgeSsoError, cjs.EdgeSsoError]) assert.ok(e instanceof Class, e.code);
    assert.equal(e.name, 'EdgeSsoError');
  }
  assert.ok(!(new Error('x') instanceof full.EdgeSsoError));
  assert.ok(!(Object.assign(new Error('x'), { name: 'EdgeSsoError' }) instanceof full.EdgeSsoError), 'a code is part of it');
  class Mine extends full.EdgeSsoError {}
  assert.ok(!(errors[0] instanceof Mine), 'a subclass does not claim every error');
  assert.ok(new Mine('x.y', 'm') instanceof Mine && new Mine('x.y', 'm') instanceof full.EdgeSsoError);
  const made = new full.EdgeSsoError('saml.x', 'm', { cause: 1 });
  assert.deepEqual([made.code, made.message, made.cause, made instanceof Error], ['saml.x', 'm', 1, true]);
});

test('without WebAssembly the import succeeds; init() and every call fail with runtime.wasm_unavailable', () => {
  const script = `
    const m = await import('edge-sso');
    const o = await import('edge-sso/oauth');
    const out = [];
    for (const f of [() => m.createPkce(), () => new m.SamlServiceProvider({}), () => m.decodePost('x'), () => new o.OAuthClient({})]) {
      try { f(); out.push('called'); } catch (e) { out.push(e instanceof m.EdgeSsoError ? e.code : String(e)); }
    }
    await m.init().then(() => out.push('ready'), (e) => out.push('init:' + e.code));
    console.log(out.join(' '));`;
  const printed = execFileSync(process.execPath, ['--no-expose-wasm', '--input-type=module', '-e', script], { encoding: 'utf8' }).trim();
  assert.equal(printed, 'runtime.wasm_unavailable runtime.wasm_unavailable runtime.wasm_unavailable runtime.wasm_unavailable init:runtime.wasm_unavailable');
});

test('where synchronous compilation is refused (Chromium < 114, main thread), calls wait for init()', async () => {
  const support = await freshSupport();
  let finish;
  support.start(() => { throw new RangeError('WebAssembly.Module(): Buffer size is larger than 4KB'); },
    () => new Promise((resolve) => { finish = resolve; }));
  assert.throws(() => support.ready(), (e) => e instanceof EdgeSsoError && e.code === 'runtime.not_ready' && /await init\(\)/.test(e.message));
  const ready = support.init();
  finish();
  await ready;
  support.ready(); // no longer throws
});

test('a failure of the asynchronous compilation is what init() and every call report', async () => {
  const support = await freshSupport();
  support.start(() => { throw new RangeError('too large'); }, () => Promise.reject(new WebAssembly.CompileError('blocked by CSP')));
  await assert.rejects(support.init(), (e) => e.code === 'runtime.wasm_refused');
  assert.throws(() => support.ready(), (e) => e.code === 'runtime.wasm_refused');
});

/**
 * `decode(encode(bytes))` by each path of a decoder: the runtime's native one
 * where it has it (`Uint8Array.fromHex`/`fromBase64`: Chromium, Firefox, not
 * Node 20), Node's and Bun's Buffer, and the loop of a runtime with neither.
 */
async function eachPath(t, nativeName, encoding) {
  const decode = (await freshSupport())[nativeName];
  // Every byte value, in every position of a pair and of a base64 group.
  const bytes = new Uint8Array(4099).map((_, i) => (i * 7919) % 256);
  const text = Buffer.from(bytes).toString(encoding);
  const native = Uint8Array[nativeName];
  const { Buffer: saved } = globalThis;
  try {
    if (native !== undefined) assert.deepEqual(decode(text), bytes, 'native');
    else t.diagnostic(`no Uint8Array.${nativeName} in this Node: its path runs in the browser consumers`);
    delete Uint8Array[nativeName];
    assert.deepEqual(decode(text), bytes, 'Buffer');
    delete globalThis.Buffer;
    assert.deepEqual(decode(text), bytes, 'the loop');
  } finally {
    globalThis.Buffer = saved;
    if (native !== undefined) Uint8Array[nativeName] = native;
  }
}

test('fromHex (the OAuth-only module inlined) decodes alike by each path', (t) => eachPath(t, 'fromHex', 'hex'));

test('fromBase64 (the full module inlined) decodes alike by each path', (t) => eachPath(t, 'fromBase64', 'base64'));
