#!/usr/bin/env bash
# Runs every test: native C unit tests (ASan+UBSan) with ctest, a bounded libFuzzer run per
# target, the Wasm build's tests from Node, JS tests, and Playwright e2e in Debian's Chromium.
# Installs and builds what is missing first. Ends with one line "lifeline: N passed, M failed".
#   FUZZ_SECONDS=N   seconds per fuzz target (default 20)
set -uo pipefail
cd "$(dirname "$0")/.."
export NODE_PATH=/usr/share/nodejs${NODE_PATH:+:$NODE_PATH}
bash scripts/setup.sh || exit 1
bash scripts/build.sh || { echo "lifeline: build failed"; exit 1; }

logdir=build/test-logs
mkdir -p "$logdir"
passed=0
failed=0
status=0

# Each stage's wall time is printed when the next begins (the CI run must stay well under 20 min).
stage_name=
stage_start=$SECONDS
stage() {
  [ -n "$stage_name" ] && printf '(%s: %d s)\n' "$stage_name" $((SECONDS - stage_start))
  stage_name=$1
  stage_start=$SECONDS
  [ -n "$1" ] && printf '\n==== %s\n' "$1"
}
# Adds a runner's own counts to the totals; a runner that failed without counting adds one failure.
tally() { # name rc pass fail
  passed=$((passed + ${3:-0}))
  failed=$((failed + ${4:-0}))
  if [ "$2" != 0 ]; then
    status=1
    [ "${4:-0}" = 0 ] && failed=$((failed + 1))
    echo "!! $1 failed (exit $2)"
  fi
}

stage "native C unit tests (ctest, ASan+UBSan)"
ctest --test-dir build/native --output-on-failure -j 2 2>&1 | tee "$logdir/ctest.log"
rc=${PIPESTATUS[0]}
total=$(sed -n 's/.*tests failed out of \([0-9]*\).*/\1/p' "$logdir/ctest.log" | tail -1)
nfail=$(sed -n 's/.* \([0-9]*\) tests failed out of.*/\1/p' "$logdir/ctest.log" | tail -1)
tally ctest "$rc" $(( ${total:-0} - ${nfail:-0} )) "${nfail:-0}"

stage "libFuzzer (bounded: ${FUZZ_SECONDS:-20} s per target)"
bash scripts/fuzz.sh "${FUZZ_SECONDS:-20}" 2>&1 | tee "$logdir/fuzz.log"
rc=${PIPESTATUS[0]}
n=$(grep -c '^fuzz: ok' "$logdir/fuzz.log")
tally fuzz "$rc" "$n" 0

stage "JS and Wasm tests (node --test)"
node --test --test-reporter=spec --test-reporter-destination=stdout \
  --test-reporter=tap --test-reporter-destination="$logdir/node.tap" tests/js/ 2>&1 | tail -n 40
rc=${PIPESTATUS[0]}
tally "node --test" "$rc" "$(sed -n 's/^# pass //p' "$logdir/node.tap")" "$(sed -n 's/^# fail //p' "$logdir/node.tap")"

# The same suite under each React (tests/react/vitest.config.js projects), counted apart.
for react in 19 18; do
  stage "React bindings on React $react (Vitest + jsdom)"
  NO_COLOR=1 npx vitest run --root tests/react --project "react-$react" 2>&1 | tee "$logdir/vitest-react$react.log" | grep -vE '^ +(✓|↓) ' | tail -n 40
  rc=${PIPESTATUS[0]}
  vline=$(grep -E '^ +Tests +' "$logdir/vitest-react$react.log" | tail -1)
  tally "vitest (React $react)" "$rc" "$(sed -n 's/.* \([0-9]*\) passed.*/\1/p' <<<"$vline")" \
    "$(sed -n 's/.* \([0-9]*\) failed.*/\1/p' <<<"$vline")"
done

stage "e2e (Playwright, Debian Chromium)"
npx playwright test 2>&1 | tee "$logdir/e2e.log"
rc=${PIPESTATUS[0]}
tally playwright "$rc" "$(sed -n 's/^ *\([0-9]*\) passed.*/\1/p' "$logdir/e2e.log" | tail -1)" \
  "$(sed -n 's/^ *\([0-9]*\) failed.*/\1/p' "$logdir/e2e.log" | tail -1)"

stage "benchmarks, short run (BENCH_QUICK=1: proves they run; numbers are not judged here)"
BENCH_QUICK=1 bash scripts/bench.sh 2>&1 | tail -n 60
rc=${PIPESTATUS[0]}
tally bench "$rc" 0 0

stage ""
echo "(all stages, with set-up and build: ${SECONDS} s)"
echo
echo "lifeline: $passed passed, $failed failed"
exit $status
