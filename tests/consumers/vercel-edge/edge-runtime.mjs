// api/smoke.js through the steps of @vercel/node 5.9.9's edge dev handler
// (dist/dev-server.mjs: compileUserCode, createEdgeRuntimeServer), run in the
// newest edge-runtime instead of the 2.5.9 that @vercel/node pins:
//  - esbuild: bundle, platform 'browser', conditions ['edge-light',
//    'development'], format 'cjs', its wasm plugin (`*.wasm?module` becomes
//    `globalThis.wasm_<sha1>`, a WebAssembly.Module compiled outside the
//    runtime's realm and put in the context);
//  - the bundle wrapped with @vercel/node's own edge-handler-template.js;
//  - new EdgeRuntime({ initialCode, extend }) and a fetch dispatched to it.
// Prints {"bytes": <bundle size>, "result": <the handler's JSON>}.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import esbuild from 'esbuild';
import { EdgeRuntime } from 'edge-runtime';

const require = createRequire(import.meta.url);
const entry = 'api/smoke.js';
const wasmAssets = new Map();
const wasmPlugin = {
  name: 'vercel-wasm',
  setup(b) {
    b.onResolve({ filter: /\.wasm\?module/i }, async (data) => {
      const wasmFile = data.path.replace(/\?module$/, '');
      const resolved = await b.resolve(wasmFile, { importer: data.importer, resolveDir: data.resolveDir, kind: data.kind });
      if (!resolved.path) return { errors: [{ text: `WebAssembly file could not be located: ${wasmFile}` }] };
      const name = `wasm_${createHash('sha1').update(readFileSync(resolved.path)).digest('hex')}`;
      wasmAssets.set(name, resolved.path);
      return { path: name, namespace: 'vercel-wasm' };
    });
    b.onLoad({ namespace: 'vercel-wasm', filter: /.+/ }, (args) => ({
      loader: 'js', contents: `export default globalThis[${JSON.stringify(args.path)}]`,
    }));
  },
};
const result = await esbuild.build({
  platform: 'browser',
  conditions: ['edge-light', 'development'],
  target: `node${process.versions.node.split('.')[0]}`,
  legalComments: 'none',
  bundle: true,
  plugins: [wasmPlugin],
  entryPoints: [entry],
  write: false,
  format: 'cjs',
});
const bundle = result.outputFiles[0].text;
const template = readFileSync(require.resolve('@vercel/node/dist/edge-handler-template.js'), 'utf8');
const initialCode = `
  "use strict";var regeneratorRuntime;
  (() => {
    ${bundle};
  })();
  const userModule = module.exports;
  const isMiddleware = false;
  const entrypointLabel = '${entry}';
  ${template};
  const dependencies = { Request, Response };
  const options = { isMiddleware, entrypointLabel };
  registerFetchListener(userModule, options, dependencies);
`;
const wasmBindings = {};
for (const [name, path] of wasmAssets) wasmBindings[name] = await WebAssembly.compile(readFileSync(path));
const runtime = new EdgeRuntime({
  initialCode,
  extend: (context) => Object.assign(context, { module: {}, process: { env: {} }, ...wasmBindings }),
});
const response = await runtime.dispatchFetch('http://127.0.0.1/api/smoke', {
  headers: { 'x-forwarded-host': '127.0.0.1', 'x-forwarded-proto': 'http' },
});
await response.waitUntil();
const text = await response.text();
let parsed;
try {
  parsed = JSON.parse(text);
} catch {
  parsed = { status: response.status, text };
}
console.log(JSON.stringify({ bytes: Buffer.byteLength(bundle), wasm: [...wasmAssets.keys()], result: parsed }));
