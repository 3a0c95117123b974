#!/usr/bin/env bash
# Runs every test (README: "Run all the tests"). The tests start real redis-server processes, a real OpenID
# Provider (Node.js) and a real headless Chromium, so this installs whichever of them a fresh machine lacks
# (Debian/Ubuntu packages; sudo when not root), then runs dotnet test on the whole solution.
set -euo pipefail
cd "$(dirname "$0")"

missing=()
command -v redis-server >/dev/null 2>&1 && command -v redis-cli >/dev/null 2>&1 || missing+=(redis-server)
command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1 || missing+=(nodejs npm)
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
command -v chromedriver >/dev/null 2>&1 || missing+=(chromium-driver)
if [ ${#missing[@]} -gt 0 ]; then
  echo "test.sh: installing ${missing[*]}"
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
fi

# The Debian package starts a system redis on 6379; the tests start their own on free ports and need none.
if command -v systemctl >/dev/null 2>&1; then systemctl stop redis-server >/dev/null 2>&1 || true; fi

# Every gateway a test starts watches its config file; many run at once. Raise the inotify instance limit when we may.
if [ "$(id -u)" -eq 0 ] && [ -w /proc/sys/fs/inotify/max_user_instances ]; then
  [ "$(cat /proc/sys/fs/inotify/max_user_instances)" -ge 1024 ] || echo 1024 > /proc/sys/fs/inotify/max_user_instances || true
fi

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
exec dotnet test Gateway.sln "$@"
