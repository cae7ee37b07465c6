// The entry for every runtime that compiles WebAssembly from bytes: browsers
// and every bundler (Vite, webpack, Rollup, esbuild, Next.js, Parcel), Node
// (ESM here, CommonJS in index.cjs, which build.sh bundles from this file),
// Deno, Bun. The .wasm is inlined (edge_sso_inline.js: hex for the
// OAuth-only module, base64 for the full one; build.sh says why), so there is
// no asset for a bundler to find, no fetch, no file read (Deno needs no
// permission) and no top-level await: the module is compiled synchronously
// at import and the API is synchronous from the first line after it.
import { initSync, default as initAsync } from './edge_sso.js';
import inlinedModule from './edge_sso_inline.js';
import { start } from './wasm-support.js';

let bytes;
const wasmBytes = () => (bytes ??= inlinedModule());
start(() => initSync({ module: wasmBytes() }), () => initAsync({ module_or_path: wasmBytes() }));

export * from './api.js';
