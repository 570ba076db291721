#!/usr/bin/env bash
# The criterion stage benchmarks (benches/stages: tokenize, grok, expr, pour). They live outside
# the cargo workspace so the test build never needs criterion; on Debian it comes from
# librust-criterion-dev, installed here when missing. Arguments go to criterion, e.g.
#   npm run bench:stages -- --measurement-time 3
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
bash "$top/scripts/cargo-debian-source.sh"
if [ -d /usr/share/cargo/registry ] && ! dpkg -s librust-criterion-dev >/dev/null 2>&1; then
  echo "installing librust-criterion-dev (criterion for the stage benchmarks)..." >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends librust-criterion-dev >&2
fi
cd "$top/benches/stages"
CARGO_TARGET_DIR="$top/target" exec cargo bench -- "$@"
