#!/usr/bin/env bash
# The demo as a fleet of three instances over Redis Streams (installs what is missing first,
# redis-server included), with the feed, AI-service health and what to try printed.
#   PORT=N scripts/demo-fleet.sh   (the first instance's port, default 8081)
#   REDIS_URL=redis://... scripts/demo-fleet.sh   (an existing Redis instead of a private one)
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec node demo/fleet-start.js
