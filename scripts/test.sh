#!/usr/bin/env bash
# npm test: every test. Installs what is missing (rust target, wasm-bindgen-cli,
# npm packages, Debian chromium), builds the package, then runs
#   0. rustfmt (`cargo fmt --check`: the tree stays formatted), then clippy
#      (the lints in Cargo.toml: no unwrap, expect, panic or indexing) on both
#      builds, natively with the tests and for wasm32 with the facade
#   1. cargo's unit and doc tests (the core, natively) for the full build and
#      the OAuth-only one (--no-default-features), then the ignored
#      differential C14N test against libxml2 (lxml)
#   2. node --test against the built package: Node API, packaging, workerd,
#      oidc-provider interop, Chromium (Debian's, via playwright-core)
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/setup.sh browser
echo "== cargo fmt --check (the crate, and the fuzz targets: their own workspace)"
cargo fmt --check
(cd fuzz && cargo fmt --check)
echo "== clippy (full and OAuth-only; native with tests, wasm32 with the facade)"
cargo clippy --locked --all-targets -- -D warnings
cargo clippy --locked --all-targets --no-default-features -- -D warnings
cargo clippy --locked --target wasm32-unknown-unknown --lib -- -D warnings
cargo clippy --locked --target wasm32-unknown-unknown --lib --no-default-features -- -D warnings
echo "== cargo test"
cargo test --locked
echo "== cargo test, OAuth-only build"
cargo test --locked --no-default-features
# Ignored in a plain `cargo test` (it needs python3 with lxml, installed above);
# here it runs, and a missing lxml fails it. Prints its seed and counts.
echo "== exclusive C14N against libxml2 on random trees"
cargo test --locked --test c14n_differential -- --ignored --nocapture
# Seeded differentials that `cargo test` ran above without their output: here
# with their seeds and counts.
echo "== the JSON reader against serde_json on generated documents"
cargo test --locked --lib json::differential -- --nocapture
echo "== namespace resolution against quick-xml's NsReader on generated documents"
cargo test --locked --lib saml::tests_ns_differential -- --nocapture
echo "== build"
bash scripts/build.sh
mkdir -p .tmp
echo "== node --test"
node --test --test-concurrency=1 tests/js/*.test.mjs
