// What a user downloads, per entry of the built package: the module, the
// wasm-bindgen glue and the JS layer, minified by esbuild (what an app's
// bundler does) and compressed with gzip -9 (Node's zlib), as the README,
// BENCHMARKS.md and the size budgets state sizes. Built modules are
// deterministic, so these figures are too.
//
// Two forms per WebAssembly entry, because apps get one or the other:
// - `separate`: the entry that imports the .wasm as a file (the `workerd`
//   condition; edge-light is the same code): gzip of the .wasm plus gzip of
//   the minified JavaScript, the .wasm left out of the bundle;
// - `inline`: the default entry (browsers, bundlers, Node, Deno), whose
//   bundle carries the module in a string (hex for the OAuth-only module,
//   base64 for the full one: scripts/build.sh): gzip of that one minified bundle.
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { buildSync } from 'esbuild';

const root = new URL('../../', import.meta.url);
const KIB = 1024;

/**
 * The budgets, in bytes, that tests/js/size-budget.test.mjs holds each entry
 * to (`npm run bench` prints them too). BENCHMARKS.md has each figure, and
 * what the bytes are, under "the download budgets".
 */
export const BUDGETS = {
  // .wasm + minified JS of the entry that imports the .wasm as a file.
  oauthSeparate: 53 * KIB,
  fullSeparate: 192 * KIB,
  // The default entry, the .wasm inlined into the bundle (hex / base64).
  oauthInline: 59 * KIB,
  fullInline: 260 * KIB,
  // edge-sso/session: the page's side and the worker (which inlines edge-sso/oauth).
  session: 66 * KIB,
};

const gzip = (bytes) => gzipSync(bytes, { level: 9 }).length;

/** gzip -9 of `entry` (a path under the repository) bundled and minified, the .wasm left out. */
function minifiedGzip(entry) {
  const out = buildSync({
    entryPoints: [new URL(entry, root).pathname],
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'neutral',
    external: ['*.wasm', '*.wasm?module'],
    write: false,
    logLevel: 'silent',
  });
  return gzip(out.outputFiles[0].contents);
}

/**
 * The download sizes of one WebAssembly entry (`pkg/` or `pkg/oauth/`).
 * @param {string} dir the entry's directory under the repository, with a trailing slash
 * @param {string} name the module's name (`edge_sso`, `edge_sso_oauth`)
 */
export function wasmEntrySizes(dir, name) {
  const wasm = gzip(readFileSync(new URL(`${dir}${name}_bg.wasm`, root)));
  const js = minifiedGzip(`${dir}workerd.js`);
  return { wasm, js, separate: wasm + js, inline: minifiedGzip(`${dir}index.js`) };
}

/** The download sizes of edge-sso/session: the page's side and its worker (which inlines the OAuth module). */
export function sessionEntrySizes() {
  const page = minifiedGzip('pkg/session/index.js');
  const worker = minifiedGzip('pkg/session/worker.js');
  return { page, worker, total: page + worker };
}
