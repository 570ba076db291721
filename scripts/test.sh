#!/usr/bin/env bash
# `npm test` (and `npm run check`): everything a reviewer would run, as CI runs it. Sets up if
# needed, installs the servers the tests start (scripts/test-servers.sh) and the reference
# CrowdSec, then:
#   checks   cargo fmt --check, clippy -D warnings, tsc, eslint (each one pass or fail)
#   rust     the workspace's tests in the test-checked profile (optimised, with debug assertions
#            and overflow checks on)
#   fuzz     a bounded run of each cargo-fuzz target, regression cases first (scripts/fuzz.sh)
#   ava      the TypeScript tests
# and ends with the plain line `N passed, N failed`. Under CI (`CI` set) a test whose dependency
# these scripts install fails instead of skipping (test/helpers/requirement.ts).
#   FUZZ_SECONDS=N   seconds per fuzz target (default 10; 0 runs only the regression cases)
set -uo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh || { echo "0 passed, 1 failed"; exit 1; }
bash scripts/fetch-reference.sh >/dev/null || true
bash scripts/test-servers.sh

log=$(mktemp -d)
trap 'rm -rf "$log"' EXIT

checks_passed=0
checks_failed=0
# One check: its output only when it fails.
check() {
  local name=$1
  shift
  if "$@" >"$log/check.txt" 2>&1; then
    echo "check ok: $name"
    checks_passed=$((checks_passed + 1))
  else
    cat "$log/check.txt"
    echo "check FAILED: $name"
    checks_failed=$((checks_failed + 1))
  fi
}
check "cargo fmt --check" cargo fmt --all -- --check
check "cargo clippy -D warnings" cargo clippy --workspace --all-targets --locked -- -D warnings
check "tsc" npx tsc -p . --noEmit
check "eslint" npm run --silent lint:ts

cargo test --workspace --profile test-checked --locked 2>&1 | tee "$log/cargo.txt"
cargo_rc=${PIPESTATUS[0]}

bash scripts/fuzz.sh "${FUZZ_SECONDS:-10}" 2>&1 | tee "$log/fuzz.txt"
fuzz_rc=${PIPESTATUS[0]}

# The TAP stream alone in ava.txt: a worker's stderr (a Rust panic's backtrace in the CW_PANIC
# tests) interleaved into it once glued an `ok` line to the end of another line, uncounted.
npx ava --tap 2> >(tee "$log/ava-stderr.txt" >&2) | tee "$log/ava.txt"
ava_rc=${PIPESTATUS[0]}

read -r cp cf < <(awk '/^test result:/ { for (i=1;i<=NF;i++) { if ($(i)=="passed;") p+=$(i-1); if ($(i)=="failed;") f+=$(i-1) } } END { print p+0, f+0 }' "$log/cargo.txt")
fp=$(grep -cE '^fuzz [a-z_0-9]+: ok' "$log/fuzz.txt")
ff=$(grep -cE '^fuzz [a-z_0-9]+: FAILED' "$log/fuzz.txt")
ap=$(grep -E '^ok [0-9]+' "$log/ava.txt" | grep -cv '# SKIP')
as=$(grep -E '^ok [0-9]+' "$log/ava.txt" | grep -c '# SKIP')
af=$(grep -cE '^not ok [0-9]+' "$log/ava.txt")
# ava's own totals, when it got as far as printing them, are the word on what ran.
if grep -qE '^# pass [0-9]+$' "$log/ava.txt"; then
  ap=$(awk '/^# pass [0-9]+$/ { n = $3 } END { print n + 0 }' "$log/ava.txt")
  as=$(awk '/^# skip [0-9]+$/ { n = $3 } END { print n + 0 }' "$log/ava.txt")
  af=$(awk '/^# fail [0-9]+$/ { n = $3 } END { print n + 0 }' "$log/ava.txt")
fi
# A runner that failed without reporting a failing test (build error, crash) still fails.
[ "$cargo_rc" -ne 0 ] && [ "$cf" -eq 0 ] && cf=1
[ "$fuzz_rc" -ne 0 ] && [ "$ff" -eq 0 ] && ff=1
[ "$ava_rc" -ne 0 ] && [ "$af" -eq 0 ] && af=1
passed=$((checks_passed + cp + fp + ap))
failed=$((checks_failed + cf + ff + af))
echo "checks: $checks_passed passed, $checks_failed failed; rust: $cp passed, $cf failed; fuzz: $fp passed, $ff failed; ava: $ap passed, $af failed, $as skipped"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
