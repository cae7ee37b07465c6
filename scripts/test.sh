#!/usr/bin/env bash
# npm test: every test. Installs what is missing (rust target, wasm-bindgen-cli,
# npm packages, Debian chromium), builds the package, then runs
#   1. cargo's unit and doc tests (the core, natively), then the ignored
#      differential C14N test against libxml2 (lxml)
#   2. node --test against the built package: Node API, packaging, workerd,
#      oidc-provider interop, Chromium (Debian's, via playwright-core)
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/setup.sh browser
echo "== cargo test"
cargo test --locked
# Ignored in a plain `cargo test` (it needs python3 with lxml, installed above);
# here it runs, and a missing lxml fails it. Prints its seed and counts.
echo "== exclusive C14N against libxml2 on random trees"
cargo test --locked --test c14n_differential -- --ignored --nocapture
echo "== build"
bash scripts/build.sh
mkdir -p .tmp
echo "== node --test"
node --test --test-concurrency=1 tests/js/*.test.mjs
