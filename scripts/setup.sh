#!/usr/bin/env bash
# Everything crowdwatch needs on a fresh machine, idempotent and quick when already done: npm
# packages, the native addon (its Rust crates come from crates.io, pinned by Cargo.lock) and the
# TypeScript build. `npm start` and `npm test` both run it first.
set -euo pipefail
cd "$(dirname "$0")/.."

log() { printf 'setup: %s\n' "$*" >&2; }

command -v cargo >/dev/null || { log "cargo (Rust) is required"; exit 1; }

# Clones set up before crates.io was reachable carry a generated source replacement pointing at
# Debian's crate packages; it would pin the build to them offline.
if grep -qs 'replace-with = "debian"' .cargo/config.toml; then
  log "removing the old Debian crate source (.cargo/config.toml)"
  rm -f .cargo/config.toml
fi

# npm packages: install when node_modules is missing or older than the lock file.
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  log "installing npm packages"
  npm ci --no-audit --no-fund --loglevel=error
fi

log "building the native engine and the TypeScript sources"
npm run --silent build:native >/dev/null 2>.setup-native.log || { cat .setup-native.log >&2; exit 1; }
rm -f .setup-native.log
npm run --silent build:ts
