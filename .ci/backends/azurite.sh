#!/usr/bin/env bash
# Azure driver tests: Azurite (Microsoft's Azure Storage emulator) from npm, installed
# into .ci/.cache/azurite (gitignored). Idempotent. The tests start it on loopback
# with --disableTelemetry; nothing is started here.
set -euo pipefail

VERSION=3.35.0  # the newest Azurite that runs on Node 20 (3.36+ want Node 21/22)
DIR="$(cd "$(dirname "$0")/../.." && pwd)/.ci/.cache/azurite"
BIN="$DIR/node_modules/.bin/azurite-blob"

if ! command -v npm >/dev/null 2>&1; then
  echo "azurite: npm not found; the Azure driver tests will skip" >&2
  exit 0
fi
if [ -x "$BIN" ] && [ "$(cat "$DIR/.version" 2>/dev/null)" = "$VERSION" ]; then
  echo "azurite: $VERSION already installed in $DIR"
  exit 0
fi
mkdir -p "$DIR"
cd "$DIR"
[ -f package.json ] || echo '{"name": "azurite-cache", "private": true}' > package.json
npm install --no-audit --no-fund --loglevel=error "azurite@$VERSION"
echo "$VERSION" > .version
echo "azurite: installed $VERSION in $DIR"
