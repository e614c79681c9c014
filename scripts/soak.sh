#!/usr/bin/env bash
# The chaos soak in Debian's Chromium (e2e/soak.spec.js) at full length: about 14 minutes, at
# least 500 faults, then the heal check over 20 + 20 seeds. Writes bench/results/soak.json and
# regenerates the soak part of docs/RELIABILITY.md from it (bench/soak-report.js).
#   SOAK_SECONDS=N       length of the soak (default 720); a shorter run writes
#                        bench/results/quick/soak.json (gitignored) and leaves the doc alone
#   SOAK_HEAL_SECONDS=N  length of the heal burst (default 60)
#   SOAK_SEED=N          the seed of every fault schedule (default 1)
set -uo pipefail
cd "$(dirname "$0")/.."
export NODE_PATH=/usr/share/nodejs${NODE_PATH:+:$NODE_PATH}
[ -f dist/lifeline-core.wasm ] || bash scripts/build.sh wasm || exit 1

full=720
export SOAK_SECONDS=${SOAK_SECONDS:-$full}
export SOAK_HEAL_SECONDS=${SOAK_HEAL_SECONDS:-60}
export SOAK_SEED=${SOAK_SEED:-1}
if [ "$SOAK_SECONDS" = "$full" ] && [ "$SOAK_HEAL_SECONDS" = 60 ]; then
  export SOAK_MIN_FAULTS=${SOAK_MIN_FAULTS:-500}
  export SOAK_OUT=${SOAK_OUT:-bench/results/soak.json}
  report=1
else
  export SOAK_OUT=${SOAK_OUT:-bench/results/quick/soak.json}
  report=${SOAK_REPORT:-0}
fi
export SOAK_COMMAND="SOAK_SECONDS=$SOAK_SECONDS SOAK_HEAL_SECONDS=$SOAK_HEAL_SECONDS SOAK_SEED=$SOAK_SEED npm run soak"

rm -f "$SOAK_OUT"
npx playwright test e2e/soak.spec.js
rc=$?
# The figures are reported whether or not every goal was met.
if [ "$report" = 1 ] && [ -f "$SOAK_OUT" ]; then node bench/soak-report.js "$SOAK_OUT" docs/RELIABILITY.md || rc=1; fi
echo "soak: results in $SOAK_OUT (exit $rc)"
exit $rc
