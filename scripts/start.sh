#!/usr/bin/env bash
# npm start: install what is missing, build everything, serve the demo.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/build.sh
exec node scripts/demo.mjs
