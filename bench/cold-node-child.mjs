// One cold instantiation in a fresh Node process (spawned by bench/cold.mjs):
// the package's own init path (initSync of the wasm-bindgen glue), with the
// bytes read before the clock starts. Compile and instantiate are timed apart
// (initSync given a compiled Module only instantiates). Node 20's V8 compiles
// wasm functions lazily, so part of the work moves to the first call, which is
// timed too. Prints one JSON line, in ms.
import { readFileSync } from 'node:fs';
import { initSync } from '../pkg/edge_sso.js';
// The public function, over the same glue module (its init is the one timed
// here, through the entries' `start`, which the public API waits for).
import { randomState } from '../pkg/oauth-api.js';
import { start } from '../pkg/wasm-support.js';

const bytes = readFileSync(new URL('../pkg/edge_sso_bg.wasm', import.meta.url));
const t0 = performance.now();
const module = new WebAssembly.Module(bytes);
const t1 = performance.now();
start(() => initSync({ module }));
const t2 = performance.now();
randomState();
const t3 = performance.now();
console.log(JSON.stringify({ compileMs: t1 - t0, instantiateMs: t2 - t1, firstCallMs: t3 - t2 }));
