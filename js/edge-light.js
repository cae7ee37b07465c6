// Vercel Edge and Next.js edge routes (the `edge-light` export condition):
// Vercel documents that its edge runtime, like workerd, does not compile
// WebAssembly from bytes (not run here), and its bundlers and Next.js's
// (webpack and Turbopack) turn an import of `*.wasm?module` into a compiled
// WebAssembly.Module: tests/js/consumers-runtimes.test.mjs runs both.
import wasmModule from './edge_sso_bg.wasm?module';
import { initSync } from './edge_sso.js';
import { start } from './wasm-support.js';

start(() => initSync({ module: wasmModule }));

export * from './api.js';
