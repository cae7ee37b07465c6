// Base64 of the HTTP-POST binding through the built (SIMD) module: the
// 16-character blocks src/saml/b64_blocks.rs decodes in bulk must give what
// Node's decoder gives, and refuse exactly what the crate refuses, wherever
// in a block a character falls.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodePost } from 'edge-sso';

// A small deterministic PRNG (xorshift32), so a failure reproduces.
function rng(seed) {
  let x = seed >>> 0 || 1;
  return () => { x ^= x << 13; x >>>= 0; x ^= x >>> 17; x ^= x << 5; x >>>= 0; return x / 2 ** 32; };
}

test('random UTF-8 text round-trips at every length and alignment', () => {
  const next = rng(7);
  const pieces = ['a', 'Z', '0', '~', '\u00e9', '\u20ac', '\u{1f38c}', '<', '>', '?', '\u00ff', '\u07ff', '\uffe0'];
  for (let n = 0; n < 400; n++) {
    let text = '';
    for (let k = 0; k < n % 97; k++) text += pieces[Math.floor(next() * pieces.length)];
    const b64 = Buffer.from(text).toString('base64');
    assert.equal(decodePost(b64), text, `length ${text.length}`);
    assert.equal(decodePost(b64.replace(/=+$/, '')), text, 'padding is optional');
  }
});

test('every byte value at every position of a block: alphabet decodes, whitespace is skipped, the rest is refused', () => {
  const base = Buffer.from('x'.repeat(48)).toString('base64'); // 64 characters, no padding
  const alphabet = /[A-Za-z0-9+/]/;
  for (let code = 0; code < 256; code++) {
    const c = String.fromCharCode(code);
    for (let pos = 0; pos < 48; pos += 1) {
      if (alphabet.test(c)) {
        // Replace one character: still valid base64, compare with Node.
        const s = base.slice(0, pos) + c + base.slice(pos + 1);
        const want = Buffer.from(s, 'base64');
        if (Buffer.from(want.toString()).equals(want)) {
          assert.equal(decodePost(s), want.toString(), `${JSON.stringify(c)} at ${pos}`);
        } else {
          // Decoded, then refused as text: the bytes are not UTF-8.
          assert.throws(() => decodePost(s), (e) => e.code === 'saml.binding.not_utf8', `${JSON.stringify(c)} at ${pos}`);
        }
        continue;
      }
      if (' \t\r\n'.includes(c)) {
        // Inserted: skipped, whatever block it lands in.
        const s = base.slice(0, pos) + c + base.slice(pos);
        assert.equal(decodePost(s), 'x'.repeat(48), `whitespace ${code} at ${pos}`);
      } else {
        // Replacing one character keeps the length valid, so only the
        // character itself can be what is refused.
        const s = base.slice(0, pos) + c + base.slice(pos + 1);
        assert.throws(() => decodePost(s), (e) => e.code === 'saml.binding.base64_invalid', `byte ${code} at ${pos}`);
      }
    }
  }
});
