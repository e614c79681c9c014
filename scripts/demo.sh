#!/usr/bin/env bash
# Installs and builds what is missing, then starts the demo on 127.0.0.1 and prints its URL.
#   PORT=N scripts/demo.sh    (default: 5173)
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/build.sh wasm
exec node demo/start.js
