// scripts/strip-custom-sections.mjs, which drops the `target_features`
// custom section from the built modules: it removes exactly the named custom
// sections and keeps every other byte, and it refuses malformed modules.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';

import { readU32, stripCustomSections } from '../../scripts/strip-custom-sections.mjs';

const built = [
  new URL('../../pkg/oauth/edge_sso_oauth_bg.wasm', import.meta.url),
  new URL('../../pkg/edge_sso_bg.wasm', import.meta.url),
].map((u) => new Uint8Array(readFileSync(u)));

function leb(n) {
  const out = [];
  do {
    let b = n & 0x7f;
    n = Math.floor(n / 128);
    if (n > 0) b |= 0x80;
    out.push(b);
  } while (n > 0);
  return out;
}

function custom(name, payloadLen) {
  const nameBytes = [...new TextEncoder().encode(name)];
  const body = [...leb(nameBytes.length), ...nameBytes, ...Array.from({ length: payloadLen }, (_, i) => i & 0xff)];
  return new Uint8Array([0, ...leb(body.length), ...body]);
}

function concat(...parts) {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

const EMPTY_MODULE = new Uint8Array([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]);

test('the built modules carry no target_features section and validate', () => {
  for (const bytes of built) {
    const module = new WebAssembly.Module(bytes);
    assert.equal(WebAssembly.Module.customSections(module, 'target_features').length, 0);
    assert.deepEqual(stripCustomSections(bytes, ['target_features']), bytes);
  }
});

test('removes exactly the named custom sections, wherever they are, and keeps the rest byte for byte', () => {
  for (const bytes of built) {
    // Custom sections may appear before, between and after the others: add
    // them at the end (after the data section) and right after the header.
    const inputs = [];
    for (const len of [0, 1, 127, 128, 300, 20000]) {
      const drop = custom('target_features', len);
      const keep = custom('keep_me', len);
      const similar = custom('target_features2', len);
      inputs.push([concat(bytes, drop, keep, similar), concat(bytes, keep, similar)]);
      inputs.push([
        concat(bytes.subarray(0, 8), drop, bytes.subarray(8), drop),
        bytes,
      ]);
    }
    for (const [input, want] of inputs) {
      const got = stripCustomSections(input, ['target_features']);
      assert.deepEqual(got, want);
      assert.ok(WebAssembly.validate(got));
    }
  }
});

test('several names, and a module with nothing but custom sections', () => {
  const input = concat(EMPTY_MODULE, custom('a', 3), custom('b', 200), custom('c', 0), custom('a', 1));
  assert.deepEqual(stripCustomSections(input, ['a', 'c']), concat(EMPTY_MODULE, custom('b', 200)));
  assert.deepEqual(stripCustomSections(input, ['zzz']), input);
  assert.deepEqual(stripCustomSections(EMPTY_MODULE, ['a']), EMPTY_MODULE);
});

test('LEB128 sizes are read as the spec encodes them', () => {
  for (const n of [0, 1, 63, 64, 127, 128, 129, 16383, 16384, 2 ** 21, 2 ** 28, 2 ** 32 - 1]) {
    const bytes = new Uint8Array([9, ...leb(n), 9]);
    assert.deepEqual(readU32(bytes, 1), [n, 1 + leb(n).length]);
  }
  // Redundant (padded) encodings are allowed by the spec.
  assert.deepEqual(readU32(new Uint8Array([0x80, 0x80, 0x00]), 0), [0, 3]);
  assert.throws(() => readU32(new Uint8Array([0x80, 0x80]), 0), /truncated/);
  assert.throws(() => readU32(new Uint8Array([0x80, 0x80, 0x80, 0x80, 0x80, 0x00]), 0), /longer than 5/);
});

test('malformed modules are refused, not rewritten', () => {
  assert.throws(() => stripCustomSections(new Uint8Array([1, 2, 3]), ['a']), /not a WebAssembly module/);
  assert.throws(() => stripCustomSections(new Uint8Array(8), ['a']), /not a WebAssembly module/);
  const section = custom('target_features', 10);
  // A section whose size runs past the end of the file.
  assert.throws(
    () => stripCustomSections(concat(EMPTY_MODULE, section.subarray(0, section.length - 1)), ['target_features']),
    /past the end/,
  );
  // A custom section whose name length runs past the section.
  assert.throws(
    () => stripCustomSections(concat(EMPTY_MODULE, new Uint8Array([0, 2, 5, 0x61])), ['a']),
    /name runs past/,
  );
  // A size with no end.
  assert.throws(() => stripCustomSections(concat(EMPTY_MODULE, new Uint8Array([0, 0x80])), ['a']), /truncated/);
});
