// The full module needs WebAssembly SIMD; a runtime without it must get an
// error that says so, not V8's "invalid opcode". Node has SIMD, so the probe's
// answer is passed in to see the other side.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { explainCompileFailure, hasWasmSimd } from '../../pkg/wasm-support.js';

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
