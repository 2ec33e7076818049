#!/usr/bin/env bash
# vSphere driver tests: Go and Debian's govmomi sources, from which the tests
# build vcsim (govmomi's vCenter simulator) offline. Idempotent; run as root.
set -euo pipefail

PACKAGES=(golang-go golang-github-vmware-govmomi-dev)

missing=()
for pkg in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" \
    || missing+=("$pkg")
done
[ ${#missing[@]} -eq 0 ] && { echo "vsphere: ${PACKAGES[*]} already installed"; exit 0; }

export DEBIAN_FRONTEND=noninteractive
# Update the package lists only when they are absent (a fresh machine or image).
if [ -z "$(find /var/lib/apt/lists -maxdepth 1 -name '*Packages*' -print -quit 2>/dev/null)" ]; then
  apt-get update
fi
if ! apt-get install -y -o DPkg::Lock::Timeout=300 --no-install-recommends "${missing[@]}"; then
  # Stale lists: refresh once and retry.
  apt-get update
  apt-get install -y -o DPkg::Lock::Timeout=300 --no-install-recommends "${missing[@]}"
fi
