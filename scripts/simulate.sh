#!/usr/bin/env bash
# The reconnection storm (docs/RELIABILITY.md, "Reconnection storm"): builds the simulator
# (bench/simulate/, the real C core) in Release in build/sim, runs 10,000 clients through every
# jitter mode and trigger, and writes bench/results/storm.json (and storm-what-if.json: the
# triggered runs with online_spread_ms = STORM_WHAT_IF_SPREAD_MS, default 250, the shipped value
# before 4000), docs/img/storm.svg
# and the part of docs/RELIABILITY.md between <!-- storm:begin --> and <!-- storm:end -->.
#   scripts/simulate.sh                    the full run (what `npm run simulate` does)
#   STORM_CLIENTS=2000 scripts/simulate.sh  a quicker look (its files are not the committed ones)
# The goals are asserted by the ctest test storm_check (10,000 clients, the ASan build).
set -euo pipefail
cd "$(dirname "$0")/.."
jobs=$(nproc 2>/dev/null || echo 2)
cmake -S . -B build/sim -DCMAKE_BUILD_TYPE=Release -DLIFELINE_WERROR=ON >/dev/null
cmake --build build/sim --target lifeline_storm -j "$jobs"
mkdir -p bench/results docs/img

cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo 2>/dev/null | head -1)
machine="$(uname -sm), ${cpu:-unknown CPU}, $(nproc 2>/dev/null || echo ?) cores"
# Which core made the numbers: the commit, flagged when the native core (src/ but its Wasm-only
# platform/, and include/) differs from it, untracked files included.
core=${STORM_CORE:-$(git rev-parse --short HEAD 2>/dev/null || echo unknown)}
if [ -z "${STORM_CORE:-}" ] && [ -n "$(git status --porcelain -- src include ':(exclude)src/platform' 2>/dev/null)" ]; then
  core="$core with uncommitted changes in src/ or include/"
fi

clients=${STORM_CLIENTS:-10000}
date=$(date -u +%Y-%m-%dT%H:%M:%SZ)
build/sim/lifeline_storm --clients "$clients" --json bench/results/storm.json \
  --machine "$machine" --core "$core" --date "$date" --command "npm run simulate"
# What online_spread_ms buys: the triggered runs again with that one default changed (the old
# 250 ms unless told), reported apart from the shipped numbers.
echo "what if online_spread_ms were ${STORM_WHAT_IF_SPREAD_MS:=250}:"
build/sim/lifeline_storm --clients "$clients" --run full+resume --run full+online \
  --what-if-online-spread-ms "$STORM_WHAT_IF_SPREAD_MS" --json bench/results/storm-what-if.json \
  --machine "$machine" --core "$core" --date "$date" --command "npm run simulate"
node bench/simulate/report.js bench/results/storm.json docs/img/storm.svg docs/RELIABILITY.md \
  bench/results/storm-what-if.json
