#!/usr/bin/env bash
# vSphere driver tests: Go and Debian's govmomi sources, from which the tests
# build vcsim (govmomi's vCenter simulator) offline. Idempotent; run as root.
set -euo pipefail
source "$(dirname "$0")/../debian.sh"

debian_install vsphere golang-go golang-github-vmware-govmomi-dev
