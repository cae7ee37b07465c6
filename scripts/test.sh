#!/usr/bin/env bash
# npm test: every test. Installs what is missing (rust target, wasm-bindgen-cli,
# npm packages, Debian chromium), builds the package, then runs
#   1. cargo's unit and doc tests (the core, natively)
#   2. node --test against the built package: Node API, packaging, workerd,
#      oidc-provider interop, Chromium (Debian's, via playwright-core)
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/setup.sh browser
echo "== cargo test"
cargo test --locked
echo "== build"
bash scripts/build.sh
mkdir -p .tmp
echo "== node --test"
node --test --test-concurrency=1 tests/js/*.test.mjs
