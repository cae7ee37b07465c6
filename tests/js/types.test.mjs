// The package's TypeScript, checked as users meet it: on the packed tarball,
// installed into a fresh project.
//   1. Every ```js / ```ts block of README.md (and tests/types/*, which pin
//      what the declarations promise) compiles with `tsc --strict` under
//      moduleResolution "bundler" and "nodenext". A block that is not meant
//      to compile is preceded by `<!-- not-compiled: reason -->`. The names a
//      block leaves to the reader (`idpCertPem`, `request`, ...) are declared
//      in PRELUDE below.
//   2. publint --strict and @arethetypeswrong/cli find nothing (README,
//      "TypeScript", says what attw is told to leave out and why).
//   3. What the declarations say about the runtime holds: authnRequest's
//      shape per binding, EdgeSsoError and init from both entries.
//   4. The JS layer against both sides, by tsc on each built entry (pkg/,
//      pkg/oauth/): its calls into the module (js/*.js, checkJs) against the
//      raw declarations wasm-bindgen generated from the Rust exports, so an
//      export renamed or retyped in src/wasm fails here; and the public
//      index.d.ts against the implementation api.js re-exports: every
//      declared export implemented with a type the declaration accepts, and
//      nothing exported that is not declared.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, readFileSync, readdirSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const bin = (name) => join(root, 'node_modules', '.bin', name);

/**
 * The ```js / ```ts blocks of a Markdown text: `{ line, lang, code }`, `line`
 * being the README line of the block's first code line; and the skipped ones
 * with their reason. A block is skipped when the last non-blank line before
 * its fence is `<!-- not-compiled: reason -->`.
 */
export function codeBlocks(markdown) {
  const lines = markdown.split('\n');
  const blocks = [];
  const skipped = [];
  const EXT = { js: 'js', javascript: 'js', mjs: 'js', cjs: 'cjs', ts: 'ts', typescript: 'ts', mts: 'ts', cts: 'cts' };
  for (let i = 0; i < lines.length; i += 1) {
    const open = /^(\s*)(`{3,}|~{3,})\s*([A-Za-z]*)/.exec(lines[i]);
    if (!open) continue;
    const [, indent, fence, info] = open;
    let end = i + 1;
    while (end < lines.length && !lines[end].startsWith(indent + fence)) end += 1;
    const ext = EXT[info.toLowerCase()];
    if (ext !== undefined) {
      let k = i - 1;
      while (k >= 0 && lines[k].trim() === '') k -= 1;
      const mark = k >= 0 ? /^\s*<!--\s*not-compiled:(.*)-->\s*$/.exec(lines[k]) : null;
      const code = lines.slice(i + 1, end).map((l) => l.slice(indent.length)).join('\n');
      if (mark) skipped.push({ line: i + 2, reason: mark[1].trim() });
      else blocks.push({ line: i + 2, ext, code });
    }
    i = end;
  }
  return { blocks, skipped };
}

// What the README's snippets leave to the reader, as they would have it.
const PRELUDE = `// The names README.md's code blocks use without defining them.
import type { SamlServiceProvider } from 'edge-sso';
declare global {
  // OAuth: the OP's endpoints and the client's registration
  const authorizationEndpoint: string;
  const tokenEndpoint: string;
  const clientId: string;
  const redirectUri: string;
  const issuer: string;
  /** The URL the browser came back to. */
  const callbackUrl: string;
  /** "your cookie parsing" in the edge worker: the flow the login carried. */
  function readFlowCookie(request: Request, name: string): { s: string; v: string; n: string | null; e: number; m: number | null };
  // SAML
  const idpCertPem: string;
  const idpMetadataXml: string;
  /** A federation's signed metadata aggregate, and its signing certificate. */
  const aggregateXml: string;
  const federationPem: string;
  const entityId: string;
  const acsUrl: string;
  const sloUrl: string;
  /** An SP made as in the blocks before. */
  const sp: SamlServiceProvider;
  /** The request a handler answers. */
  const request: Request;
  /** A posted form (application/x-www-form-urlencoded), e.g. new URLSearchParams(await request.text()). */
  const form: URLSearchParams;
  const body: URLSearchParams;
  const expectedRequestId: string;
  const nameId: string;
  const nameIdFormat: string;
  const sessionIndexes: string[];
  function myAtomicInsertIfAbsent(id: string, expiresAt: number): Promise<boolean>;
}
export {};
`;

const COMPILER = {
  strict: true,
  noEmit: true,
  skipLibCheck: false, // the package's own .d.ts files are checked too
  allowJs: true,
  checkJs: true,
  target: 'es2022',
  lib: ['es2022', 'dom', 'dom.iterable'],
  types: [],
};
const RESOLUTIONS = {
  bundler: { module: 'esnext', moduleResolution: 'bundler' },
  nodenext: { module: 'nodenext', moduleResolution: 'nodenext' },
};

/**
 * Writes `files` ({ name: text }) into `dir` with one tsconfig per
 * resolution and runs tsc on each: `{ resolution: output }`, empty when clean.
 */
function compile(dir, files) {
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, name)), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  const results = {};
  for (const [name, options] of Object.entries(RESOLUTIONS)) {
    const config = `tsconfig.${name}.json`;
    // CommonJS (.cjs, .cts) is a Node format: checked under nodenext, where `require` has its own condition.
    const names = Object.keys(files).filter((f) => name === 'nodenext' || !/\.c[jt]s$/.test(f));
    writeFileSync(join(dir, config), JSON.stringify({ compilerOptions: { ...COMPILER, ...options }, files: names }, null, 2));
    const r = spawnSync(bin('tsc'), ['-p', config, '--pretty', 'false'], { cwd: dir, encoding: 'utf8' });
    results[name] = (r.stdout + r.stderr).trim() || (r.status === 0 ? '' : `tsc exited ${r.status}`);
  }
  return results;
}

// The JS layer is JavaScript with JSDoc types: checked, not strict (an
// untyped parameter is `any`, not an error); what must match is typed.
const LAYER = {
  strict: false,
  noEmit: true,
  allowJs: true,
  checkJs: true,
  skipLibCheck: true,
  target: 'es2022',
  lib: ['esnext', 'dom'],
  types: [],
  module: 'esnext',
  moduleResolution: 'bundler',
};

/** tsc's findings on the JS layer of the built entry in `entryDir` (absolute), from `dir`: '' when clean. */
function checkLayer(dir, entryDir) {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'layer.ts'), `
import * as declared from ${JSON.stringify(join(entryDir, 'index.js'))};
import * as implemented from ${JSON.stringify(join(entryDir, 'api.js'))};
// Every declared export is implemented, with a type the declaration accepts.
const everyDeclaredExportIsImplemented: typeof declared = implemented;
// Nothing is exported that is not declared.
const nothingUndeclared: { [K in keyof typeof implemented]: K extends keyof typeof declared ? unknown : never } = implemented;
export { everyDeclaredExportIsImplemented, nothingUndeclared };
`);
  writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({ compilerOptions: LAYER, files: ['layer.ts'] }));
  const r = spawnSync(bin('tsc'), ['-p', 'tsconfig.json', '--pretty', 'false'], { cwd: dir, encoding: 'utf8' });
  return (r.stdout + r.stderr).trim() || (r.status === 0 ? '' : `tsc exited ${r.status}`);
}

/** The README's blocks as files `readme/L<line>.<ext>`, each one a module of its own. */
function readmeFiles(markdown) {
  const { blocks } = codeBlocks(markdown);
  return Object.fromEntries(blocks.map((b) => [`readme/L${b.line}.${b.ext}`,
    // A block without import or export would be a script, sharing its names with every other.
    b.ext === 'cjs' || b.ext === 'cts' ? b.code + '\n' : `${b.code}\nexport {};\n`]));
}

/** tsc's `readme/L<start>.<ext>(<line>,<col>)` as `README.md:<line>:<col>`. */
const onReadme = (output) => output.replace(/readme\/L(\d+)\.\w+\((\d+),(\d+)\)/g,
  (_, start, line, col) => `README.md:${Number(start) + Number(line) - 1}:${col}`);

let project; // a fresh project with the packed tarball installed
let tarball;

before(() => {
  project = mkdtempSync(join(tmpdir(), 'edge-sso-types-'));
  const packDir = join(project, 'pack');
  mkdirSync(packDir);
  const out = execFileSync('npm', ['pack', '--ignore-scripts', '--pack-destination', packDir], { cwd: root, encoding: 'utf8' });
  tarball = join(packDir, out.trim().split('\n').pop());
  writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'types-consumer', private: true, type: 'module' }));
  // edge-sso has no dependencies: this installs the tarball alone.
  execFileSync('npm', ['install', '--no-audit', '--no-fund', '--ignore-scripts', '--no-save', tarball], { cwd: project, stdio: 'pipe' });
});

after(() => rmSync(project, { recursive: true, force: true }));

test('the extractor finds blocks, maps lines, and honours not-compiled marks', () => {
  const md = ['# t', '```js', 'a();', '```', '', '<!-- not-compiled: a config of another tool -->', '', '```ts', 'b();', '```',
    '```sh', 'npm test', '```', '```cjs', 'c();', '```'].join('\n');
  const { blocks, skipped } = codeBlocks(md);
  assert.deepEqual(blocks, [{ line: 3, ext: 'js', code: 'a();' }, { line: 15, ext: 'cjs', code: 'c();' }]);
  assert.deepEqual(skipped, [{ line: 9, reason: 'a config of another tool' }]);
});

test('a README block that does not type-check fails, named by its README line (both resolutions)', () => {
  const dir = join(project, 'control');
  // Calls that were once refused under --strict: a wrong use of each must still be caught.
  const md = ['```js', "import { SamlServiceProvider } from 'edge-sso';",
    "const sp = new SamlServiceProvider({ entityId: 'e', acsUrl: 'https://a.example/acs', idp: { entityId: 'i' } });",
    '/** @type {string} */', "const action = sp.authnRequest({ binding: 'redirect' }).action;", '```'].join('\n');
  const results = compile(dir, { ...readmeFiles(md), 'prelude.d.ts': PRELUDE });
  for (const [resolution, output] of Object.entries(results)) {
    assert.match(onReadme(output), /README\.md:5:\d+: error TS2322/, `${resolution}: ${output}`);
  }
});

test("README.md's js/ts blocks and tests/types compile with tsc --strict against the packed tarball (bundler, nodenext)", (t) => {
  const markdown = readFileSync(join(root, 'README.md'), 'utf8');
  const { blocks, skipped } = codeBlocks(markdown);
  assert.ok(blocks.length >= 8, `only ${blocks.length} blocks found`);
  for (const s of skipped) assert.ok(s.reason.length > 0, `README.md:${s.line - 1}: not-compiled needs a reason`);
  t.diagnostic(`${blocks.length} blocks compiled, ${skipped.length} marked not-compiled`);
  const files = { ...readmeFiles(markdown), 'prelude.d.ts': PRELUDE };
  const typesDir = join(root, 'tests', 'types');
  for (const name of readdirSync(typesDir)) files[`types/${name}`] = readFileSync(join(typesDir, name), 'utf8');
  const results = compile(join(project, 'readme'), files);
  for (const [resolution, output] of Object.entries(results)) assert.equal(onReadme(output), '', `moduleResolution ${resolution}`);
});

test('tsc: the JS layer calls the module as its generated declarations say, and implements the public declarations (pkg/, pkg/oauth/)', () => {
  for (const entry of ['pkg', 'pkg/oauth']) {
    assert.equal(checkLayer(join(project, 'layer', entry), join(root, entry)), '', entry);
  }
});

test('tsc on the JS layer fails for a raw export renamed or retyped, a public method renamed, an undeclared export', () => {
  // A copy of an entry's JavaScript and declarations, each broken in one way:
  // the OAuth layer in pkg/oauth/, the SAML layer in pkg/.
  const oauthGlue = 'edge_sso_oauth.d.ts';
  const samlGlue = 'edge_sso.d.ts';
  const breaks = {
    'raw export renamed': ['pkg/oauth', oauthGlue, /^( {4})authorize\(\): string;$/m, '$1authorise(): string;', /Property 'authorize' does not exist on type 'RawOAuthClient'/],
    'raw export retyped': ['pkg/oauth', oauthGlue, /^( {4})tokenRequest\(id: number\): string;$/m, '$1tokenRequest(id: string): string;', /error TS2345/],
    'public method renamed': ['pkg/oauth', 'oauth-api.js', /^( {2})logoutUrl\(options\) \{$/m, '$1logoutURL(options) {', /error TS2322/],
    'undeclared export': ['pkg/oauth', 'oauth-api.js', /$/, '\nexport const extra = 1;\n', /Types of property 'extra' are incompatible/],
    'SAML raw export renamed': ['pkg', samlGlue, /^( {4})finishResponse\(n: number, outcome: number\): string;$/m, '$1finishResponses(n: number, outcome: number): string;',
      /Property 'finishResponse' does not exist on type 'RawSamlServiceProvider'/],
    'SAML raw export retyped': ['pkg', samlGlue, /^( {4})finishResponse\(n: number, outcome: number\): string;$/m, '$1finishResponse(n: string, outcome: number): string;', /error TS2345/],
    'SAML raw function renamed': ['pkg', samlGlue, /^export function decodePost\(/m, 'export function decodePOST(', /has no exported member named 'decodePost'/],
    'SAML public method renamed': ['pkg', 'saml-api.js', /^( {2})metadataXml\(opts\) \{$/m, '$1metadataXML(opts) {', /error TS2322/],
    'SAML undeclared export': ['pkg', 'saml-api.js', /$/, '\nexport const extra = 1;\n', /Types of property 'extra' are incompatible/],
  };
  for (const [what, [entry, file, from, to, expected]] of Object.entries(breaks)) {
    const src = join(root, entry);
    const copy = join(project, 'broken', what.replace(/ /g, '-'));
    mkdirSync(copy, { recursive: true });
    for (const f of readdirSync(src).filter((n) => /\.(js|d\.ts)$/.test(n) && !n.endsWith('_inline.js'))) {
      writeFileSync(join(copy, f), readFileSync(join(src, f), 'utf8'));
    }
    const text = readFileSync(join(copy, file), 'utf8');
    assert.match(text, from, `${what}: the text to break is there`);
    writeFileSync(join(copy, file), text.replace(from, to));
    assert.match(checkLayer(join(copy, 'check'), copy), expected, what);
  }
});

test('publint --strict finds nothing in the packed tarball', () => {
  const r = spawnSync(bin('publint'), ['--strict', tarball], { cwd: project, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /All good/, r.stdout);
});

test('@arethetypeswrong/cli finds nothing in the packed tarball (every moduleResolution, edge-sso/oauth under node10 too)', () => {
  // The .wasm subpaths are binary assets for bundlers and workers that load
  // the module themselves: no declarations to resolve (README, "TypeScript").
  // edge-sso/session/worker.js is a worker script (an asset, like them).
  const r = spawnSync(bin('attw'), [tarball, '--format', 'json', '--exclude-entrypoints', './edge_sso_bg.wasm',
    './oauth/edge_sso_oauth_bg.wasm', './session/worker.js'], { cwd: project, encoding: 'utf8' });
  const report = JSON.parse(r.stdout);
  // edge-sso/session is for pages, an ES module only: from CommonJS it is
  // reached by import(), which is what attw says, and all it says.
  const esmOnly = { kind: 'CJSResolvesToESM', entrypoint: './session', resolutionKind: 'node16-cjs' };
  assert.deepEqual(report.analysis.problems, [esmOnly], JSON.stringify(report.analysis.problems, null, 2));
  const entries = report.analysis.entrypoints;
  assert.deepEqual(Object.keys(entries).sort(), ['.', './oauth', './package.json', './session']);
  for (const kind of ['node10', 'node16-esm', 'bundler']) {
    assert.ok(entries['./session'].resolutions[kind].resolution?.isTypeScript, `./session under ${kind}`);
  }
  for (const entry of ['.', './oauth']) {
    for (const kind of ['node10', 'node16-cjs', 'node16-esm', 'bundler']) {
      const resolution = entries[entry].resolutions[kind].resolution;
      assert.ok(resolution?.isTypeScript, `${entry} under ${kind} resolves to no declarations: ${JSON.stringify(resolution)}`);
    }
  }
  assert.equal(r.status, 1, 'attw exits 1 for the one expected problem');
});

test('the runtime is what the declarations say: authnRequest per binding, EdgeSsoError and init from both entries', async () => {
  const full = await import(join(project, 'node_modules', 'edge-sso', 'pkg', 'index.js'));
  const oauth = await import(join(project, 'node_modules', 'edge-sso', 'pkg', 'oauth', 'index.js'));
  for (const m of [full, oauth]) {
    assert.equal(typeof m.init, 'function');
    assert.equal(await m.init(), undefined);
    assert.equal(typeof m.EdgeSsoError, 'function');
  }
  const sp = new full.SamlServiceProvider({ entityId: 'https://sp.example', acsUrl: 'https://sp.example/acs',
    idp: { entityId: 'https://idp.example', ssoRedirectUrl: 'https://idp.example/sso', ssoPostUrl: 'https://idp.example/post' } });
  const redirect = sp.authnRequest();
  assert.deepEqual(Object.keys(redirect).sort(), ['binding', 'expiresAt', 'id', 'url', 'xml']);
  assert.equal(redirect.binding, 'redirect');
  const post = sp.authnRequest({ binding: 'post', relayState: '/r' });
  assert.deepEqual(Object.keys(post).sort(), ['action', 'binding', 'expiresAt', 'html', 'id', 'relayState', 'samlRequest', 'xml']);
  // One class for every error, whichever entry threw it and whichever entry's class is asked.
  const thrown = [() => sp.validateResponse('not base64!'), () => oauth.pkceChallenge('short'), () => full.createPkce({ method: 'plain' })];
  for (const f of thrown) {
    const e = (() => { try { f(); } catch (err) { return err; } })();
    assert.ok(e instanceof full.EdgeSsoError && e instanceof oauth.EdgeSsoError, String(e));
    assert.equal(typeof e.code, 'string');
  }
  assert.ok(!(new Error('x') instanceof full.EdgeSsoError));
  const made = new oauth.EdgeSsoError('arg.invalid', 'm', { cause: 1 });
  assert.deepEqual([made.name, made.code, made.message, made.cause, made instanceof Error], ['EdgeSsoError', 'arg.invalid', 'm', 1, true]);
});
