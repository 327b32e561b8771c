#!/usr/bin/env bash
# Installs the npm packages of the browser tests (tests/browser/package-lock.json) into DIR
# with `npm ci`. puppeteer-core drives the Debian chromium (scripts/install-deps.sh); no
# browser is downloaded. Skips the install when DIR already holds the locked packages.
set -euo pipefail
dir=${1:?usage: browser-test-deps.sh DIR (holding package.json and package-lock.json)}
cd "$dir"
stamp=node_modules/.cxrvqa-lock.sha256
want=$(sha256sum package-lock.json | cut -d' ' -f1)
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
  exit 0
fi
if ! command -v npm >/dev/null 2>&1; then
  echo "error: npm not found; run scripts/install-deps.sh (installs Node.js and npm)" >&2
  exit 1
fi
export PUPPETEER_SKIP_DOWNLOAD=1
npm ci --no-audit --no-fund --loglevel=error
echo "$want" > "$stamp"
