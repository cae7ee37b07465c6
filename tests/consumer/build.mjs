// Bundles the consumer app (index.html + src/main.js) with esbuild's JS API,
// configured the way an app that installed edge-sso from npm would configure it.
//
// Nothing edge-sso-specific: the .wasm is inlined in the package's entry, so
// there is no asset to copy and no plugin or loader to configure.
//
// tests/js/consumer-build.test.mjs installs the packed package into a copy of
// this app and calls buildApp() on it.
import * as esbuild from 'esbuild';
import { copyFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';

/**
 * Builds `appDir` into `outdir`: main.js (the bundle) and index.html.
 * @returns {Promise<import('esbuild').Metafile>} which input files went into the bundle
 */
export async function buildApp({ appDir, outdir }) {
  const result = await esbuild.build({
    absWorkingDir: resolve(appDir),
    entryPoints: ['src/main.js'],
    outdir: resolve(outdir),
    bundle: true,
    platform: 'browser', // conditions "browser", "import", "default": edge-sso's `import` entry
    format: 'esm',
    metafile: true,
    logLevel: 'warning',
  });
  await copyFile(join(appDir, 'index.html'), join(outdir, 'index.html'));
  return result.metafile;
}

