#!/usr/bin/env bash
# Runs every fuzz target with cargo-fuzz (libFuzzer, nightly) for a bounded
# time (default 60 s each) on a scratch copy of the seed corpus, prints the
# executions per target, and copies any crash input into
# tests/fuzz_regressions/<target>/ (replayed by `cargo test`), exiting 1.
#   scripts/fuzz.sh [seconds]
set -euo pipefail
cd "$(dirname "$0")/.."
SECS=${1:-60}
command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz
TARGETS="xml_reader c14n binding_decode validate_response oauth_callback token_response id_token certificate signature"
crashed=0
for t in $TARGETS; do
  work=.tmp/fuzz-corpus/$t
  mkdir -p "$work" "tests/fuzz_regressions/$t"
  cp -n fuzz/corpus/$t/* "$work"/ 2>/dev/null || true
  set +e
  (cd fuzz && cargo +nightly fuzz run "$t" "../$work" -- -max_total_time="$SECS" -rss_limit_mb=2048 -max_len=65536 -print_final_stats=1) > ".tmp/fuzz-$t.log" 2>&1
  rc=$?
  set -e
  runs=$(grep -oE '^Done [0-9]+ runs in [0-9]+ second' ".tmp/fuzz-$t.log" | tail -1 || true)
  echo "[fuzz] $t: ${runs:-no summary (rc=$rc)}"
  for f in fuzz/artifacts/$t/crash-* fuzz/artifacts/$t/oom-* fuzz/artifacts/$t/timeout-*; do
    [ -e "$f" ] || continue
    cp "$f" "tests/fuzz_regressions/$t/"
    echo "[fuzz] $t: kept $(basename "$f") as a regression input"
    crashed=1
  done
done
exit $crashed
