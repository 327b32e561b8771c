#!/usr/bin/env bash
# Installs the Debian packages cxrvqa builds and tests with. Idempotent: packages already
# present are skipped, and nothing is fetched when all are there. Needs root (or sudo) only
# when something is missing.
set -euo pipefail

packages=(
  build-essential cmake pkg-config ccache time
  nlohmann-json3-dev libcli11-dev libspdlog-dev libfmt-dev
  libhyperscan-dev libtbb-dev libsqlite3-dev libcurl4-openssl-dev
  libcpp-httplib-dev libtomlplusplus-dev zlib1g-dev libssl-dev
  libgtest-dev libgmock-dev libbenchmark-dev libsimdjson-dev libjemalloc-dev
  chromium python3 python3-nltk python3-yaml
  clang libclang-rt-dev
)
# The browser tests drive chromium with puppeteer-core (tests/browser, installed by npm ci):
# Debian's Node.js and npm unless a Node.js with npm is already installed.
if ! command -v npm >/dev/null 2>&1; then
  packages+=(nodejs npm)
fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

echo "installing: ${missing[*]}"
sudo_cmd=()
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "error: need root or sudo to install ${missing[*]}" >&2; exit 1; }
  sudo_cmd=(sudo)
fi
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -qq
"${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
