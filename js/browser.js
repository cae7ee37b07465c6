// Browsers, bundlers (Vite, esbuild, webpack 5) and Deno: fetch and instantiate
// the .wasm once, at import time (top-level await), then everything is sync.
import init from './edge_sso.js';
import { explainCompileFailure } from './wasm-support.js';

try {
  await init({ module_or_path: new URL('./edge_sso_bg.wasm', import.meta.url) });
} catch (e) {
  throw explainCompileFailure(e);
}

export * from './api.js';
