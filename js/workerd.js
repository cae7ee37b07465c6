// workerd / Cloudflare Workers: the .wasm is imported as a compiled
// WebAssembly.Module (workers may not compile wasm from bytes at run time).
import wasmModule from './edge_sso_bg.wasm';
import { initSync } from './edge_sso.js';

initSync({ module: wasmModule });

export * from './api.js';
