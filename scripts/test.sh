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
# Ignored in a plain `cargo test`: it needs node (here since setup.sh).
echo "== HttpUrl against the WHATWG URL parser (Node's URL) on generated URLs"
cargo test --locked --lib url::whatwg_differential -- --ignored --nocapture
# The full module's SIMD routines (RSA's dot products, the XML character
# scan, base64 blocks, the C14N escaper) against their scalar twins, both run
# on the same inputs inside a wasm32 build with simd128, in Node
# (wasm-bindgen-test-runner, which the wasm-bindgen CLI from setup.sh ships):
# natively only the scalar twins exist. Their own target directory, as their
# RUSTFLAGS differ from every other build here. Optimised as the shipped
# module is (opt-level "s": the SIMD code as LLVM lowers it there, and far
# quicker than unoptimised: BENCHMARKS.md), debug assertions and overflow
# checks kept.
# Each test prints how many inputs its pair agreed on.
echo "== SIMD routines against their scalar twins (wasm32, simd128, in Node)"
simd_twins() { CARGO_TARGET_DIR=target/wasm-simd-tests RUSTFLAGS='-C target-feature=+simd128' "$@"; }
simd_twins cargo clippy --locked --target wasm32-unknown-unknown --all-targets -- -D warnings
CARGO_PROFILE_TEST_OPT_LEVEL=s CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner \
  simd_twins cargo test --locked --target wasm32-unknown-unknown --lib simd_twins -- --nocapture
echo "== build"
bash scripts/build.sh
mkdir -p .tmp
echo "== node --test"
node --test --test-concurrency=1 tests/js/*.test.mjs
