#!/usr/bin/env bash
# HTML interface tests (tests/render/test_browser.py): Debian's headless Chromium and its
# WebDriver, driven by Selenium from the test extra. The tests point Selenium at
# /usr/bin/chromium and /usr/bin/chromedriver: no browser is downloaded from anywhere
# else. Installs only (the tests start the browser). Idempotent; run as root.
set -euo pipefail

PACKAGES=(chromium chromium-driver)

missing=()
for pkg in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" \
    || missing+=("$pkg")
done
[ ${#missing[@]} -eq 0 ] && { echo "browser: ${PACKAGES[*]} already installed"; exit 0; }

if ! command -v apt-get >/dev/null; then
  echo "browser: no apt-get (not Debian): Chromium is not installed (the browser tests will skip)" >&2
  exit 0
fi
if [ "$(id -u)" != 0 ]; then
  echo "browser: not root, cannot install Chromium (the browser tests will skip)" >&2
  exit 0
fi

export DEBIAN_FRONTEND=noninteractive
apt-get update
apt-get install -y -o DPkg::Lock::Timeout=300 --no-install-recommends "${missing[@]}"
echo "browser: installed ${missing[*]}"
