#!/usr/bin/env bash
# HTML interface tests (tests/render/test_browser.py): Debian's headless Chromium and its
# WebDriver, driven by Selenium from the test extra. The tests point Selenium at
# /usr/bin/chromium and /usr/bin/chromedriver: no browser is downloaded from anywhere
# else. Installs only (the tests start the browser). Idempotent; run as root.
set -euo pipefail
source "$(dirname "$0")/../debian.sh"

debian_install browser chromium chromium-driver
