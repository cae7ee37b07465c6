#!/usr/bin/env bash
# Builds the npm package into pkg/: one cargo build, one wasm-bindgen run, and
# the hand-written per-runtime entries from js/.
set -euo pipefail
cd "$(dirname "$0")/.."

# The CLI must be exactly the wasm-bindgen the crate resolved to (Cargo.lock):
# another version writes glue that does not match the .wasm. setup.sh installs it.
want=$(awk '/^name = "wasm-bindgen"$/ {getline; gsub(/[^0-9.]/, ""); print; exit}' Cargo.lock)
have=$(wasm-bindgen --version 2>/dev/null | awk '{print $2}' || true)
if [ -z "$want" ] || [ "$want" != "$have" ]; then
  echo "[build] wasm-bindgen CLI ${have:-missing} but the crate is $want: run scripts/setup.sh" >&2
  exit 1
fi

# One module per entry point: the full package (OAuth + SAML) in pkg/, and the
# OAuth-only build (same crate, `saml` feature off) in pkg/oauth/ for front
# ends that never see SAML.
out="${CARGO_TARGET_DIR:-target}/wasm32-unknown-unknown"
bindgen() { # <out-dir> <out-name> <cargo-profile>
  wasm-bindgen --target web --out-dir "$1" --out-name "$2" --remove-name-section --remove-producers-section "$out/$3/edge_sso.wasm"
  # wasm-ld's `target_features` section is linker metadata nothing reads at
  # run time (about 100 bytes of gzip): dropped, every other byte kept.
  node scripts/strip-custom-sections.mjs "$1/$2_bg.wasm" target_features
  # The hand-written runtime entries load ./edge_sso.js; point them at this build.
  for entry in browser node workerd; do
    sed "s/edge_sso\([._]\)/$2\1/g" "js/$entry.js" > "$1/$entry.js"
  done
  cp js/wasm-support.js "$1/"
  # The entries initialise the module themselves, so the public types are the
  # generated ones minus the default `init` export.
  grep -v '^export default function __wbg_init' "$1/$2.d.ts" > "$1/index.d.ts"
  local raw gz
  raw=$(stat -c %s "$1/$2_bg.wasm")
  gz=$(gzip -9 -c "$1/$2_bg.wasm" | wc -c)
  printf '[build] %s: %d bytes raw, %d bytes gzip -9\n' "$1/$2_bg.wasm" "$raw" "$gz"
}

rm -rf pkg
# The OAuth-only module has a size budget (30 KB gzip) and no hot path, so it
# is built with its own profile, `release-oauth` (opt-level "z"; it has no sha2, see src/sha256.rs);
# the full module keeps the release profile's "s" (sha2 at 3) because SAML
# validation speed is measured on it (see BENCHMARKS.md). Two profiles, two
# output directories: neither build invalidates the other's.
# No wasm-opt: Debian's binaryen (108) rewrites wasm-bindgen 0.2.130's output
# so that `__wbindgen_externrefs` exports the function table, and the module
# fails to initialise (BENCHMARKS.md, "What changed").
# LLVM options for this module only, each measured on it (gzip -9 of
# pkg/oauth); none changes behaviour:
# - an inline threshold of 12 instead of opt-level "z"'s default: LLVM
#   inlines the small helpers whose call overhead exceeds their bodies
#   without duplicating the big ones;
# - no SimplifyCFG hoisting or sinking of the instructions that the arms of a
#   branch share: both lose here (sinking adds phis, which wasm pays for
#   with locals and local.get/local.set; the many error returns suffer most);
# - no load PRE in GVN and no branch folding that speculates conditions: both
#   trade size for speed.
# The full module is built below without them (its speed is benchmarked).
OAUTH_LLVM="-C llvm-args=-inline-threshold=12 -C llvm-args=-simplifycfg-sink-common=false -C llvm-args=-simplifycfg-hoist-common=false -C llvm-args=-enable-load-pre=false -C llvm-args=-simplifycfg-branch-fold-threshold=0"
RUSTFLAGS="${RUSTFLAGS:-} $OAUTH_LLVM" cargo build --profile release-oauth --target wasm32-unknown-unknown --lib --no-default-features
bindgen pkg/oauth edge_sso_oauth release-oauth
# The full module uses WebAssembly SIMD (fixed-width, `simd128`): RSA's dot
# products run two multiplications per instruction (src/saml/bignum.rs). Every
# runtime edge-sso targets has it (Chrome/Edge 91, Firefox 89, Safari 16.4,
# Node 16.4, Deno, workerd); the entries refuse a runtime without it with a
# clear error. The OAuth-only module stays without SIMD: nothing in it would
# gain, and front ends on older browsers can still load it.
RUSTFLAGS="${RUSTFLAGS:-} -C target-feature=+simd128" cargo build --release --target wasm32-unknown-unknown --lib
bindgen pkg edge_sso release
