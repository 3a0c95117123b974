#!/usr/bin/env bash
# Installs what the tests start for real when a machine lacks it (Debian/Ubuntu packages; sudo when not root):
# redis-server, Node.js and npm (the OpenID Provider), Chromium and ChromeDriver (the console's browser tests).
# Called by ./test.sh and by .ci/run; does nothing when everything is there.
set -euo pipefail

missing=()
command -v redis-server >/dev/null 2>&1 && command -v redis-cli >/dev/null 2>&1 || missing+=(redis-server)
command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1 || missing+=(nodejs npm)
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
command -v chromedriver >/dev/null 2>&1 || missing+=(chromium-driver)
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing ${missing[*]}"
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -qq
  # One package at a time: a package the mirror cannot give must not keep the others (redis-server first) away.
  failed=()
  for package in "${missing[@]}"; do
    $sudo apt-get install -y -qq "$package" >/dev/null || failed+=("$package")
  done
  if [ ${#failed[@]} -gt 0 ]; then
    echo "could not install: ${failed[*]}" >&2
    exit 1
  fi
fi

# The Debian package starts a system redis on 6379; the tests start their own on free ports and need none.
if command -v systemctl >/dev/null 2>&1; then systemctl stop redis-server >/dev/null 2>&1 || true; fi

# Every gateway a test starts watches its config file; many run at once. Raise the inotify instance limit when we may.
if [ "$(id -u)" -eq 0 ] && [ -w /proc/sys/fs/inotify/max_user_instances ]; then
  [ "$(cat /proc/sys/fs/inotify/max_user_instances)" -ge 1024 ] || echo 1024 > /proc/sys/fs/inotify/max_user_instances || true
fi
