#!/usr/bin/env bash
# `npm test`: the whole suite, as CI runs it. Sets up if needed, fetches the reference CrowdSec
# (for the conformance tests; they skip with a reason when it cannot be had), runs the Rust
# tests and the ava tests, and ends with the plain line `N passed, N failed`.
set -uo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh || { echo "0 passed, 1 failed"; exit 1; }
bash scripts/fetch-reference.sh >/dev/null || true
bash scripts/test-servers.sh

log=$(mktemp -d)
trap 'rm -rf "$log"' EXIT

cargo test --workspace --release 2>&1 | tee "$log/cargo.txt"
cargo_rc=${PIPESTATUS[0]}
npx ava --tap 2>&1 | tee "$log/ava.txt"
ava_rc=${PIPESTATUS[0]}

read -r cp cf < <(awk '/^test result:/ { for (i=1;i<=NF;i++) { if ($(i)=="passed;") p+=$(i-1); if ($(i)=="failed;") f+=$(i-1) } } END { print p+0, f+0 }' "$log/cargo.txt")
ap=$(grep -E '^ok [0-9]+' "$log/ava.txt" | grep -cv '# SKIP')
af=$(grep -cE '^not ok [0-9]+' "$log/ava.txt")
passed=$((cp + ap))
failed=$((cf + af))
# A runner that failed without reporting a failing test (build error, crash) still fails.
if [ "$failed" -eq 0 ] && { [ "$cargo_rc" -ne 0 ] || [ "$ava_rc" -ne 0 ]; }; then failed=1; fi
echo "rust: $cp passed, $cf failed; ava: $ap passed, $af failed"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
