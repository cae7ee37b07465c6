// Node 20+: read the .wasm next to this file and instantiate it synchronously.
import { readFileSync } from 'node:fs';
import { initSync } from './edge_sso.js';
import { explainCompileFailure } from './wasm-support.js';

try {
  initSync({ module: readFileSync(new URL('./edge_sso_bg.wasm', import.meta.url)) });
} catch (e) {
  throw explainCompileFailure(e);
}

export * from './api.js';
