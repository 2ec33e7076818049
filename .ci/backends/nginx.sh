#!/usr/bin/env bash
# Deployment tests (tests/server/test_deployment.py): Debian's nginx as the reverse proxy
# in front of the app. Installs only: no nginx service is left running (the test starts
# its own nginx on loopback, with its own config, pid file and temp paths, and stops it).
# Idempotent; run as root.
set -euo pipefail
source "$(dirname "$0")/../debian.sh"

debian_install nginx nginx
