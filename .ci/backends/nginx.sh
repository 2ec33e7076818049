#!/usr/bin/env bash
# Deployment tests (tests/server/test_deployment.py): Debian's nginx as the reverse proxy
# in front of the app. Installs only: no nginx service is left running (the test starts
# its own nginx on loopback, with its own config, pid file and temp paths, and stops it).
# Idempotent; run as root.
set -euo pipefail

PACKAGES=(nginx)

missing=()
for pkg in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" \
    || missing+=("$pkg")
done
[ ${#missing[@]} -eq 0 ] && { echo "nginx: ${PACKAGES[*]} already installed"; exit 0; }

if ! command -v apt-get >/dev/null; then
  echo "nginx: no apt-get (not Debian): nginx is not installed (the proxy tests will skip)" >&2
  exit 0
fi
if [ "$(id -u)" != 0 ]; then
  echo "nginx: not root, cannot install nginx (the proxy tests will skip)" >&2
  exit 0
fi

# The package's maintainer scripts must not start the nginx service (port 80, system-wide).
cleanup=""
if [ ! -e /usr/sbin/policy-rc.d ]; then
  printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
  chmod +x /usr/sbin/policy-rc.d
  cleanup="rm -f /usr/sbin/policy-rc.d"
fi
trap '$cleanup' EXIT

export DEBIAN_FRONTEND=noninteractive
apt-get update
apt-get install -y -o DPkg::Lock::Timeout=300 --no-install-recommends "${missing[@]}"
echo "nginx: installed ${missing[*]}"
