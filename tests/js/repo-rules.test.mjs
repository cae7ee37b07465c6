// Rules about the repository itself, checked on every tracked file (`git ls-files`):
//
// - The repository stands alone: no comment, document, test or script points at
//   something a reader of the repository cannot open (a design document kept
//   elsewhere, a path on the machine it was written on, an issue number or a
//   work session of its authors). The rules the code follows are in
//   docs/SECURITY.md, in the repository's own words.
// - `unsafe` is written only in the module that holds the global allocator
//   (the OAuth-only module's `#[global_allocator]`); everywhere else the crate's
//   `unsafe_code = "deny"` lint (Cargo.toml) holds, and nothing in src/ but
//   that module allows it.
//
// Needs only git and the checkout (no build).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));
const self = 'tests/js/repo-rules.test.mjs';
const tracked = execFileSync('git', ['ls-files', '-z'], { cwd: root, encoding: 'utf8' }).split('\0').filter(Boolean);

/** Tracked text files (a file with a NUL byte is binary), as [path, text]; files deleted but not yet committed are skipped. */
function textFiles(filter) {
  const out = [];
  for (const path of tracked.filter(filter)) {
    let bytes;
    try { bytes = readFileSync(root + path); } catch { continue; }
    if (!bytes.includes(0)) out.push([path, bytes.toString('utf8')]);
  }
  return out;
}

// Each: what it catches, and the pattern (case-insensitive, per line).
const POINTERS = [
  ['a design document kept outside the repository', /\b(architecture|style)\.md\b/i],
  ['the outside SECURITY.md (the repository has docs/SECURITY.md)', /(?<!docs\/)\bsecurity\.md\b/i],
  ['a path outside the checkout', /\.\.\/shared\b|\bshared\/design\b|(^|[\s'"`(])\/work\//i],
  ['a numbered seed scenario (describe the scenario, name the repository\'s fixture)', /\bseeds? 0\d\d\b|\bseeds? \d{3}\b|\bthe seeds\b(?! of| sign| it)|\borange seed\b|\bseed's samples\b/i],
  ['an issue number a reader cannot resolve', /\bissues? #?\d+\b/i],
  ['an unnamed issue or brief', /\bthe (issue|brief)\b(?! tracker)/i],
  ['a work session of the authors', /\b(first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|this|that|last|next|previous|earlier|later) round(?![- ]trip)('s)?\b/i],
  ['another engineer or agent', /\b(other|second|another) (engineer|agent)s?\b|\bengineers?'s?\b|\bagents'/i],
];

// BENCHMARKS.md is measurement history: its sections are the successive runs
// ("The third round's full run", "Fourth round: what changed"), each with its
// commit and machine, and a figure is read against the run it came from. The
// rounds are its own headings, so naming them points inside the file.
const ALLOWED = new Map([['BENCHMARKS.md', new Set(['a work session of the authors'])]]);

// Lock files and fuzz inputs are data written by tools, not prose.
const prose = (p) => p !== self && !/(^|\/)(package-lock\.json|Cargo\.lock)$/.test(p) && !p.startsWith('fuzz/corpus/');

/** Every line of `text` that one of `rules` flags, as "path:line: what: text". */
function pointersIn(path, text, rules = POINTERS) {
  const hits = [];
  const allowed = ALLOWED.get(path) ?? new Set();
  text.split('\n').forEach((line, i) => {
    for (const [what, re] of rules) {
      if (allowed.has(what)) continue;
      if (what.startsWith('the outside SECURITY.md') && path.startsWith('docs/')) continue;
      if (re.test(line)) hits.push(`${path}:${i + 1}: ${what}: ${line.trim().slice(0, 160)}`);
    }
  });
  return hits;
}

test('no comment, document, test or script points outside the repository', () => {
  const files = textFiles(prose);
  assert.ok(files.length > 300, `${files.length} files scanned`);
  const hits = files.flatMap(([path, text]) => pointersIn(path, text));
  assert.deepEqual(hits, [], `pointers outside the repository:\n${hits.join('\n')}`);
});

test('the pointer rules catch what they are for, and pass what they must', () => {
  const flagged = (line, path = 'src/x.rs') => pointersIn(path, line).length > 0;
  for (const line of ['// see SECURITY.md', '// ARCHITECTURE.md says so', '/* the design: ../shared/design/STYLE.md */',
    'cat /work/main/x', '// seed 001: the Orange flow', '// the Orange seed', '// (issue 17)', '// every way the issue lists',
    '// after this round\'s checks', '// the third round\'s machine', '// the other engineer\'s harness']) {
    assert.ok(flagged(line), line);
  }
  for (const line of ['// see docs/SECURITY.md', 'fn round_trips() {}', '// a JSON round trip (a cookie)', '// the fuzz seed corpora',
    '// its seeds are OpenSSL\'s signatures', '// EDGE_SSO_C14N_SEED repeats one', '// issuer and audience', '// around the block',
    '// round 0 warms both up', '// so the round\n// trip']) {
    assert.ok(!flagged(line), line);
  }
  assert.ok(!flagged('the third round\'s full run', 'BENCHMARKS.md'), 'BENCHMARKS.md names its own runs');
  assert.ok(flagged('(issue 5)', 'BENCHMARKS.md'), 'but not issue numbers');
  assert.ok(!flagged('[the rules](SECURITY.md)', 'docs/index.md'), 'a link inside docs/');
});

/** GitHub's anchor of a Markdown heading. */
const slug = (heading) => heading.trim().toLowerCase().replace(/[^\p{L}\p{N} _-]/gu, '').replace(/ /g, '-');

test('docs/SECURITY.md names files that exist, README sections that exist, and the README links it', () => {
  const doc = readFileSync(root + 'docs/SECURITY.md', 'utf8');
  const files = new Set(tracked);
  const paths = [...doc.matchAll(/`((?:src|tests|js|examples|scripts|fuzz|bench|www)\/[^`\s]+)`/g)].map((m) => m[1]);
  const links = [...doc.matchAll(/\]\(\.\.\/([^)#]+)(?:#([^)]+))?\)/g)];
  assert.ok(paths.length > 40, `${paths.length} paths named`);
  const missing = [...paths, ...links.map((m) => m[1])].filter((p) => !files.has(p));
  assert.deepEqual(missing, [], 'paths that are not tracked files');
  const anchors = new Set(readFileSync(root + 'README.md', 'utf8').split('\n').filter((l) => /^#{1,6} /.test(l)).map((l) => slug(l.replace(/^#+/, ''))));
  const broken = links.filter((m) => m[1] === 'README.md' && m[2] && !anchors.has(m[2])).map((m) => m[2]);
  assert.deepEqual(broken, [], 'README anchors with no heading');
  assert.match(readFileSync(root + 'README.md', 'utf8'), /\]\(docs\/SECURITY\.md\)/);
});

/** Rust source without comments and string literals (enough to find a keyword in code). */
const codeOf = (rust) => rust
  .replace(/\/\*[\s\S]*?\*\//g, ' ')
  .replace(/"(?:[^"\\]|\\.)*"/g, '""')
  .replace(/\/\/.*$/gm, '');

test('unsafe is written only in the global allocator\'s module', () => {
  const sources = textFiles((p) => p.startsWith('src/') && p.endsWith('.rs'));
  const allocator = sources.filter(([, text]) => /#\[global_allocator\]/.test(codeOf(text))).map(([p]) => p);
  assert.equal(allocator.length, 1, `one module holds #[global_allocator]: ${allocator.join(', ')}`);
  const outside = sources
    .filter(([path]) => path !== allocator[0])
    .flatMap(([path, text]) => codeOf(text).split('\n').flatMap((line, i) =>
      /\bunsafe\b|allow\([^)]*\bunsafe_code\b/.test(line) ? [`${path}:${i + 1}: ${line.trim()}`] : []));
  assert.deepEqual(outside, [], `unsafe outside ${allocator[0]}:\n${outside.join('\n')}`);
  // The lint that makes this hold for code the scan cannot see (macro output) is on.
  assert.match(readFileSync(root + 'Cargo.toml', 'utf8'), /^\[lints\.rust\][^[]*^unsafe_code = "(deny|forbid)"$/m);
});

test('the unsafe scan sees code, not comments or strings', () => {
  assert.doesNotMatch(codeOf('// no `unsafe` here\nlet s = "unsafe"; /* unsafe */'), /\bunsafe\b/);
  assert.match(codeOf('let p = unsafe { f() }; // why'), /\bunsafe\b/);
});

// The allocator's module is src/wasm/mod.rs, the parent of the whole facade:
// an inner `#![allow(unsafe_code)]` there lifts the lint for every `#[wasm_bindgen]`
// module under it, which need none (clippy for wasm32 passes on both feature
// sets with the allow only on the allocator's static and GlobalAlloc impl).
test('the allocator module allows unsafe_code on its items, not module-wide', () => {
  const [path, text] = textFiles((p) => p.startsWith('src/') && p.endsWith('.rs'))
    .find(([, t]) => /#\[global_allocator\]/.test(codeOf(t)));
  assert.doesNotMatch(codeOf(text), /#!\[allow\([^)]*\bunsafe_code\b/, `${path} allows unsafe_code module-wide`);
});
