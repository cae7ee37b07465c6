// Vercel Edge and Next.js edge routes (the `edge-light` export condition):
// like workerd, these runtimes refuse to compile WebAssembly from bytes, and
// their bundlers (Next.js's webpack and Turbopack, Vercel's esbuild) turn an
// import of `*.wasm?module` into a compiled WebAssembly.Module.
import wasmModule from './edge_sso_bg.wasm?module';
import { initSync } from './edge_sso.js';
import { start } from './wasm-support.js';

start(() => initSync({ module: wasmModule }));

export * from './api.js';
