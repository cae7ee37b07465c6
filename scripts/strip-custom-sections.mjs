// Removes named custom sections from a .wasm file, in place, and leaves every
// other section byte for byte as it was.
//
//   node scripts/strip-custom-sections.mjs <file.wasm> <section-name>...
//
// Why: wasm-ld writes a `target_features` custom section (the features the
// code was compiled with, for linkers that combine objects). Nothing reads it
// at run time and wasm-bindgen keeps it, and the OAuth-only module has a size
// budget (BENCHMARKS.md has what the section weighs). `wasm-strip` (wabt) would do the same but
// is one more tool to install; Node is already required.
//
// The module is checked with WebAssembly.validate after the rewrite, and the
// build fails if it no longer validates.
import { readFileSync, realpathSync, writeFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

/** Reads an unsigned LEB128 at `pos`; returns [value, next position]. */
export function readU32(bytes, pos) {
  let value = 0;
  let shift = 0;
  for (let i = 0; i < 5; i++) {
    if (pos >= bytes.length) throw new Error('truncated LEB128');
    const b = bytes[pos++];
    value += (b & 0x7f) * 2 ** shift;
    if ((b & 0x80) === 0) return [value, pos];
    shift += 7;
  }
  throw new Error('LEB128 longer than 5 bytes');
}

/**
 * Returns a copy of the module `bytes` without the custom sections named in
 * `names`; every other section is copied unchanged.
 */
export function stripCustomSections(bytes, names) {
  const header = bytes.subarray(0, 8);
  if (bytes.length < 8 || header[0] !== 0 || header[1] !== 0x61 || header[2] !== 0x73 || header[3] !== 0x6d) {
    throw new Error('not a WebAssembly module');
  }
  const kept = [header];
  let pos = 8;
  while (pos < bytes.length) {
    const start = pos;
    const id = bytes[pos++];
    const [size, body] = readU32(bytes, pos);
    const end = body + size;
    if (end > bytes.length) throw new Error('section runs past the end of the module');
    let drop = false;
    if (id === 0) {
      const [nameLen, nameStart] = readU32(bytes, body);
      if (nameStart + nameLen > end) throw new Error('custom section name runs past its section');
      const name = new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(nameStart, nameStart + nameLen));
      drop = names.includes(name);
    }
    if (!drop) kept.push(bytes.subarray(start, end));
    pos = end;
  }
  const out = new Uint8Array(kept.reduce((n, part) => n + part.length, 0));
  let at = 0;
  for (const part of kept) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

// Run as a script (not imported): compare real paths as URLs, so a path with
// spaces, `#` or a symlink still runs the strip instead of silently skipping it.
// (Imported by a process whose argv[1] is no file, realpath fails: not run.)
const invoked = (() => {
  try {
    return realpathSync(process.argv[1] ?? '');
  } catch {
    return null;
  }
})();
if (invoked && import.meta.url === pathToFileURL(invoked).href) {
  const [file, ...names] = process.argv.slice(2);
  if (!file || names.length === 0) {
    console.error('usage: node scripts/strip-custom-sections.mjs <file.wasm> <section-name>...');
    process.exit(2);
  }
  const out = stripCustomSections(new Uint8Array(readFileSync(file)), names);
  if (!WebAssembly.validate(out)) {
    console.error(`[strip] ${file}: the module no longer validates; left unchanged`);
    process.exit(1);
  }
  writeFileSync(file, out);
}
