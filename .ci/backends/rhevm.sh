#!/usr/bin/env bash
# rhevm driver: ovirt-engine-sdk-python builds a C extension against libxml2 when pip
# installs the test extras, so the compiler, pkg-config and libxml2's headers must be
# there first. No back-end is started: the tests run their own fake engine. Idempotent.
set -euo pipefail

PACKAGES=(gcc python3-dev pkg-config libxml2-dev)

missing=()
for pkg in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" \
    || missing+=("$pkg")
done
[ ${#missing[@]} -eq 0 ] && { echo "rhevm: ${PACKAGES[*]} already installed"; exit 0; }

export DEBIAN_FRONTEND=noninteractive
apt-get update
apt-get install -y -o DPkg::Lock::Timeout=300 --no-install-recommends "${missing[@]}"
