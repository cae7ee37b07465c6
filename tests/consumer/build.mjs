// Bundles the consumer app (index.html + src/main.js) with esbuild's JS API,
// configured the way an app that installed edge-sso from npm would configure it.
//
// The .wasm: edge-sso's browser entry loads it with
//   init({ module_or_path: new URL('./edge_sso_bg.wasm', import.meta.url) })
// esbuild does not treat `new URL(…, import.meta.url)` as an asset reference
// (evanw/esbuild#795, open), and with `format: 'esm'` it keeps `import.meta.url`,
// which at run time is the URL of the bundle. So the bundle fetches
// `edge_sso_bg.wasm` from its own directory, and the file must be copied there
// under that name. The plugin asks esbuild's resolver where `edge-sso` went
// (the same exports-map resolution the bundle used) and copies the .wasm that
// sits beside that entry into outdir.
//
// tests/js/consumer-build.test.mjs installs the packed package into a copy of
// this app and calls buildApp() on it.
import * as esbuild from 'esbuild';
import { copyFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** Copies edge-sso's .wasm next to the bundle, where its browser entry fetches it. */
function edgeSsoWasm() {
  return {
    name: 'edge-sso-wasm',
    setup(build) {
      let wasm;
      // resolve() is only available while the build runs, not in onEnd.
      build.onStart(async () => {
        const { absWorkingDir } = build.initialOptions;
        const entry = await build.resolve('edge-sso', { kind: 'import-statement', resolveDir: join(absWorkingDir, 'src') });
        if (entry.errors.length > 0) return { errors: entry.errors };
        wasm = fileURLToPath(new URL('./edge_sso_bg.wasm', pathToFileURL(entry.path)));
        return undefined;
      });
      build.onEnd(async (result) => {
        if (result.errors.length === 0) await copyFile(wasm, join(build.initialOptions.outdir, 'edge_sso_bg.wasm'));
      });
    },
  };
}

/**
 * Builds `appDir` into `outdir`: main.js (the bundle), edge_sso_bg.wasm, index.html.
 * @returns {Promise<import('esbuild').Metafile>} which input files went into the bundle
 */
export async function buildApp({ appDir, outdir }) {
  const result = await esbuild.build({
    absWorkingDir: resolve(appDir),
    entryPoints: ['src/main.js'],
    outdir: resolve(outdir),
    bundle: true,
    platform: 'browser', // conditions: "browser", then "import", "default" — edge-sso's "browser" entry
    format: 'esm', // keeps import.meta.url and top-level await, both of which the entry uses
    target: 'es2022', // the first target with top-level await
    metafile: true,
    logLevel: 'warning',
    plugins: [edgeSsoWasm()],
  });
  await copyFile(join(appDir, 'index.html'), join(outdir, 'index.html'));
  return result.metafile;
}

