#!/usr/bin/env bash
# Installs what building, testing and the demo need on a fresh Debian 12
# machine: Debian packages, and the pinned npm packages of the browser and
# interop tests. Quiet and quick when everything is already there.
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(
  build-essential cmake pkg-config clang libclang-rt-14-dev
  libcurl4-openssl-dev libssl-dev libjansson-dev      # the library
  libmicrohttpd-dev libsqlite3-dev libhiredis-dev     # the emulator and the demo app
  libcmocka-dev valgrind gcovr curl abigail-tools     # the test suite (abidiff: docs/ABI.md)
  groff-base man-db                                   # the man pages and their check
  libyaml-dev                                         # tools/gen-mgmt (Management API table)
  redis-server chromium wrk                           # real peers, browser, load
  sqlite3                                             # the e2e test breaks a session store
  nginx-light jq                                      # kinde-gateway behind nginx (e2e), bench items 4 and 10
  apache2-bin libapache2-mod-auth-openidc             # bench item 10 (the binary, no system service)
)
# Node: a machine may already carry Node from another source (NodeSource's
# nodejs bundles npm, and Debian's npm then cannot be installed beside it).
# Ask apt for Node only when there is no node/npm on the PATH at all.
if ! command -v node >/dev/null 2>&1; then packages+=(nodejs); fi
if ! command -v npm >/dev/null 2>&1; then packages+=(npm); fi
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "install-deps: installing ${missing[*]}"
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# npm packages, pinned by each folder's package-lock.json; never a browser download.
for dir in tests/e2e tests/interop; do
  if [ -f "$dir/package-lock.json" ] && [ ! -d "$dir/node_modules" ]; then
    echo "install-deps: npm ci in $dir"
    (cd "$dir" && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error)
  fi
done
