#!/usr/bin/env bash
# rhevm driver: ovirt-engine-sdk-python builds a C extension against libxml2 when pip
# installs the test extras, so the compiler, pkg-config and libxml2's headers must be
# there first. No back-end is started: the tests run their own fake engine. Idempotent.
set -euo pipefail
source "$(dirname "$0")/../debian.sh"

debian_install rhevm gcc python3-dev pkg-config libxml2-dev
