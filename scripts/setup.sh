#!/usr/bin/env bash
# Everything crowdwatch needs on a fresh Debian machine, idempotent and quick when already done:
# Debian's Rust crate sources (the public crate registry is unreachable here), npm packages,
# the native addon and the TypeScript build. `npm start` and `npm test` both run it first.
set -euo pipefail
cd "$(dirname "$0")/.."

log() { printf 'setup: %s\n' "$*" >&2; }

# Rust dependencies come from Debian's librust-*-dev packages.
debs=(librust-regex-dev librust-aho-corasick-dev librust-memchr-dev librust-serde-dev
      librust-serde-derive-dev librust-serde-yaml-dev librust-serde-json-dev librust-ahash-dev
      librust-smallvec-dev librust-ipnet-dev librust-sha1-dev librust-sha2-dev librust-libc-dev)
missing=()
if command -v dpkg-query >/dev/null; then
  for d in "${debs[@]}"; do
    dpkg-query -W -f='${Status}' "$d" 2>/dev/null | grep -q 'install ok installed' || missing+=("$d")
  done
fi
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    log "installing ${missing[*]}"
    apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  else
    log "missing Debian packages ${missing[*]} (run as root, or make the public crate registry reachable)"
  fi
fi
bash scripts/cargo-debian-source.sh

command -v cargo >/dev/null || { log "cargo (Rust) is required"; exit 1; }

# npm packages: install when node_modules is missing or older than the lock file.
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  log "installing npm packages"
  npm ci --no-audit --no-fund --loglevel=error
fi

log "building the native engine and the TypeScript sources"
npm run --silent build:native >/dev/null 2>.setup-native.log || { cat .setup-native.log >&2; exit 1; }
rm -f .setup-native.log
npm run --silent build:ts
