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

cargo build --release --target wasm32-unknown-unknown --lib
rm -rf pkg
wasm-bindgen --target web --out-dir pkg --out-name edge_sso --remove-name-section --remove-producers-section \
  target/wasm32-unknown-unknown/release/edge_sso.wasm
cp js/browser.js js/node.js js/workerd.js pkg/
# The entries initialise the module themselves, so the public types are the
# generated ones minus the default `init` export.
grep -v '^export default function __wbg_init' pkg/edge_sso.d.ts > pkg/index.d.ts

raw=$(stat -c %s pkg/edge_sso_bg.wasm)
gz=$(gzip -9 -c pkg/edge_sso_bg.wasm | wc -c)
printf '[build] pkg/edge_sso_bg.wasm: %d bytes raw, %d bytes gzip -9\n' "$raw" "$gz"
