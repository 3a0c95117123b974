#!/usr/bin/env bash
# Runs every test (README: "Run all the tests"). The tests start real redis-server processes, a real OpenID
# Provider (Node.js) and a real headless Chromium: scripts/install-test-dependencies.sh installs whichever of them a
# fresh machine lacks, then this runs dotnet test on the whole solution (extra arguments go to dotnet test).
set -euo pipefail
cd "$(dirname "$0")"
scripts/install-test-dependencies.sh
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
exec dotnet test Gateway.sln "$@"
