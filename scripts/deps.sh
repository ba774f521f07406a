#!/usr/bin/env bash
# deps.sh — installs the Debian packages omnigraph needs, and only those that
# are missing. Idempotent: prints nothing to install when all are present.
set -euo pipefail

PKGS=(
  build-essential cmake pkg-config git curl python3
  libjansson-dev libzstd-dev libxxhash-dev libroaring-dev
  libcurl4-openssl-dev libssl-dev libyaml-dev libmicrohttpd-dev
  libstemmer-dev libutf8proc-dev
  libcmocka-dev libsqlite3-dev
  clang libclang-rt-14-dev valgrind
)

missing=()
for p in "${PKGS[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "deps: all ${#PKGS[@]} packages present"
  exit 0
fi

echo "deps: installing ${missing[*]}"
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
echo "deps: done"
