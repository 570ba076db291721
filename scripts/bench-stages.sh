#!/usr/bin/env bash
# The criterion stage benchmarks (benches/stages: tokenize, grok, expr, pour). They live outside
# the cargo workspace so the test build never needs criterion. Arguments go to criterion, e.g.
#   npm run bench:stages -- --measurement-time 3
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top/benches/stages"
CARGO_TARGET_DIR="$top/target" exec cargo bench -- "$@"
