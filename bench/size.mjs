// Benchmark 4: what a browser or edge deploy downloads: the .wasm raw, gzip -9
// and brotli 11, for the full build and (when built) the OAuth-only build.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';

function compressedSizes(path) {
  const bytes = readFileSync(path);
  return {
    raw: bytes.length,
    gzip: gzipSync(bytes, { level: 9 }).length,
    brotli: brotliCompressSync(bytes, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length,
  };
}

/** The first .wasm in pkg/oauth/, or null if that build does not exist. */
function oauthOnlyWasm(root) {
  const dir = join(root, 'pkg', 'oauth');
  const wasm = existsSync(dir) && readdirSync(dir).find((f) => f.endsWith('.wasm'));
  return wasm ? join(dir, wasm) : null;
}

/**
 * @returns {{ full: object, oauthOnly: object | null, fullInline: object, oauthOnlyInline: object | null }}
 * sizes in bytes, with the file each came from: each .wasm, and the same
 * module as the `import` entry carries it (hex or base64 in a JS string, *_inline.js)
 */
export function measureSizes(root) {
  const full = join(root, 'pkg', 'edge_sso_bg.wasm');
  const oauth = oauthOnlyWasm(root);
  const inline = (wasm) => wasm.replace(/_bg\.wasm$/, '_inline.js');
  return {
    full: { file: relative(root, full), ...compressedSizes(full) },
    oauthOnly: oauth && { file: relative(root, oauth), ...compressedSizes(oauth) },
    fullInline: { file: relative(root, inline(full)), ...compressedSizes(inline(full)) },
    oauthOnlyInline: oauth && { file: relative(root, inline(oauth)), ...compressedSizes(inline(oauth)) },
  };
}
