// The built package as workerd modules: the `workerd` export condition's
// entry (as the bare specifier `edge-sso`) and every file it imports by
// relative path. Shared by the workerd tests and the demo's edge worker.
import { copyFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('../..', import.meta.url).pathname;

/**
 * Copies the package's workerd modules into `dir`.
 * @param {string} dir a flat directory workerd serves modules from
 * @returns {string[]} their capnp `modules` entries
 * @example const modules = copyPackageModules(dir); // then `modules = [ worker, ...modules ]`
 */
export function copyPackageModules(dir) {
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  const entry = pkg.exports['.'].workerd.default; // the export condition under test
  copyFileSync(join(root, entry), join(dir, 'edge-sso.js'));
  const modules = ['(name = "edge-sso", esModule = embed "edge-sso.js")'];
  for (const file of ['api.js', 'oauth-api.js', 'saml-api.js', 'wasm-support.js', 'edge_sso.js']) {
    copyFileSync(join(root, 'pkg', file), join(dir, file));
    modules.push(`(name = "${file}", esModule = embed "${file}")`);
  }
  copyFileSync(join(root, 'pkg/edge_sso_bg.wasm'), join(dir, 'edge_sso_bg.wasm'));
  modules.push('(name = "edge_sso_bg.wasm", wasm = embed "edge_sso_bg.wasm")');
  return modules;
}
