#!/usr/bin/env bash
# Fuzz crowdwatch: build the cargo-fuzz targets of fuzz/ and run each for SECONDS (default 10),
# its regression cases first. Prints `fuzz <target>: ok (N runs)` or the crash; exits non-zero
# when any target crashed (or its regression cases did).
#
#   scripts/fuzz.sh [SECONDS] [TARGET...]
#
# Environment: FUZZ_SANITIZER (none | address; default none: the crates are safe Rust, and
# without ASan a run does about twice the executions), FUZZ_RSS_MB (default 2048),
# CARGO_BUILD_JOBS (default 1: the machine is shared), CROWDWATCH_HUB (the hub snapshot for
# engine_line_hub; default ../shared/crowdsec-hub beside the repository).
# Longer runs and reproducing a crash: fuzz/README.md.
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
fuzz="$top/fuzz"
seconds=${1:-10}
shift || true
case "$seconds" in '' | *[!0-9]*) echo "usage: scripts/fuzz.sh [SECONDS] [TARGET...]" >&2; exit 2 ;; esac
all_targets=(engine_line_ours engine_line_hub expr time grok_diff)
targets=("$@")
[ ${#targets[@]} -eq 0 ] && targets=("${all_targets[@]}")
export CARGO_BUILD_JOBS=${CARGO_BUILD_JOBS:-1}
sanitizer=${FUZZ_SANITIZER:-none}
rss_mb=${FUZZ_RSS_MB:-2048}
export PATH="$HOME/.cargo/bin:$PATH"

if ! cargo fuzz --version >/dev/null 2>&1; then
  echo "installing cargo-fuzz (cargo install cargo-fuzz --locked)"
  cargo install cargo-fuzz --locked || { echo "cannot install cargo-fuzz" >&2; exit 2; }
fi
# cargo-fuzz passes nightly flags (-Zsanitizer, sancov passes); a stable toolchain accepts them
# with RUSTC_BOOTSTRAP=1.
if ! rustc --version | grep -q nightly; then
  export RUSTC_BOOTSTRAP=1
fi

cd "$fuzz" || exit 2
echo "building fuzz targets (sanitizer: $sanitizer)"
start=$(date +%s)
# `cargo fuzz build` builds one target or all of them.
one=()
[ ${#targets[@]} -eq 1 ] && one=("${targets[0]}")
if ! cargo fuzz build --sanitizer "$sanitizer" --debug-assertions "${one[@]}" 2>"$fuzz/target-build.log"; then
  tail -30 "$fuzz/target-build.log" >&2
  echo "fuzz: build failed" >&2
  exit 2
fi
echo "built in $(($(date +%s) - start)) s"
rm -f "$fuzz/target-build.log"
bin="$fuzz/target/$(rustc -vV | sed -n 's/^host: //p')/release"

failed=0
for t in "${targets[@]}"; do
  if [ ! -x "$bin/$t" ]; then
    echo "fuzz $t: no such target (${all_targets[*]})"
    failed=1
    continue
  fi
  if [ "$t" = engine_line_hub ] && [ -z "${CROWDWATCH_HUB:-}" ] && [ ! -f "$top/../shared/crowdsec-hub/hub/.index.json" ]; then
    echo "fuzz $t: skipped (no hub snapshot; set CROWDWATCH_HUB)"
    continue
  fi
  mkdir -p "corpus/$t" "artifacts/$t" "regressions/$t" "seeds/$t"
  log=$(mktemp)
  # The regression cases first, one by one: each must run clean. A failing one is reported
  # (and counts as a crash), and the fuzzing goes on without the regression cases in its corpus
  # (libFuzzer would stop at once on them).
  corpora=("corpus/$t" "seeds/$t")
  mapfile -t cases < <(find "regressions/$t" -type f ! -name '*.md' | sort)
  if [ ${#cases[@]} -gt 0 ]; then
    if CROWDWATCH_FUZZ_WRITTEN=1 CROWDWATCH_FUZZ_QUIET=1 "$bin/$t" -rss_limit_mb="$rss_mb" -timeout=10 "${cases[@]}" >"$log" 2>&1; then
      corpora+=("regressions/$t")
    else
      failed=1
      echo "fuzz $t: REGRESSION $(grep '^Running: ' "$log" | tail -1 | sed 's/^Running: //') fails:"
      awk '/panicked at|==ERROR|ERROR: libFuzzer/{p=1} p&&(/^$/||/stack backtrace/){exit} p' "$log" | head -12 | sed 's/^/  /'
      # The others, each alone (libFuzzer stops at the first crash).
      for c in "${cases[@]}"; do
        CROWDWATCH_FUZZ_WRITTEN=1 CROWDWATCH_FUZZ_QUIET=1 "$bin/$t" -rss_limit_mb="$rss_mb" -timeout=10 "$c" >/dev/null 2>&1 || echo "  fails: $c"
      done
    fi
  fi
  "$bin/$t" "${corpora[@]}" \
    -max_total_time="$seconds" -rss_limit_mb="$rss_mb" -timeout=10 \
    -artifact_prefix="artifacts/$t/" -print_final_stats=1 >"$log" 2>&1
  rc=$?
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  if [ $rc -eq 0 ]; then
    echo "fuzz $t: ok (${runs:-?} runs)"
  else
    failed=1
    artifact=$(sed -n 's/.*Test unit written to //p' "$log" | tail -1)
    echo "fuzz $t: CRASH after ${runs:-?} runs${artifact:+: $fuzz/$artifact}"
    awk '/panicked at|==ERROR|ERROR: libFuzzer/{p=1} p&&(/^$/||/stack backtrace/){exit} p' "$log" | head -25 | sed 's/^/  /'
    echo "  reproduce: $bin/$t ${artifact:+$fuzz/$artifact}"
  fi
  rm -f "$log"
done
exit $failed
