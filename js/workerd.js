// workerd / Cloudflare Workers (the `workerd` export condition): the .wasm is
// imported as a compiled WebAssembly.Module, because workers may not compile
// WebAssembly from bytes at run time. wrangler's default rules load `*.wasm`.
import wasmModule from './edge_sso_bg.wasm';
import { initSync } from './edge_sso.js';
import { start } from './wasm-support.js';

start(() => initSync({ module: wasmModule }));

export * from './api.js';
