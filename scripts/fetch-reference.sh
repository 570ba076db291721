#!/usr/bin/env bash
# Fetch the reference implementation our conformance tests compare against: Debian's CrowdSec 1.4.6
# packages, unpacked (never installed: crowdsec's postinst registers with the Central API and fails
# offline). Each package lands in "$dir/<package>/" via `dpkg -x`; the .deb files stay beside them.
#
#   scripts/fetch-reference.sh            # prints the reference folder on stdout
#   CROWDWATCH_REF_DIR=/x scripts/fetch-reference.sh
#
# Idempotent: a package whose folder carries a matching `.extracted-from` marker is left alone.
# When apt is missing or the download fails, it explains why on stderr, records the reason in
# "$dir/.unavailable" (src/reference/reference.ts reads it to skip with that reason) and exits 0, so machines
# without Debian repositories still run the rest of the suite. CROWDWATCH_REF_STRICT=1 makes those
# cases fail (exit 1) instead, for CI jobs that must have the reference.
set -euo pipefail

dir=${CROWDWATCH_REF_DIR:-$HOME/.cache/crowdwatch/ref}
packages=(crowdsec crowdsec-firewall-bouncer crowdsec-custom-bouncer)
# The upstream versions docs/spec (crowdsec-compat.md) was written against.
declare -A expected_version=(
  [crowdsec]=1.4.6 [crowdsec-firewall-bouncer]=0.0.25 [crowdsec-custom-bouncer]=0.0.15
)

log() { printf 'fetch-reference: %s\n' "$*" >&2; }

unavailable() {
  log "$1"
  mkdir -p "$dir" 2>/dev/null && printf '%s\n' "$1" > "$dir/.unavailable" || true
  if [ "${CROWDWATCH_REF_STRICT:-0}" = 1 ]; then exit 1; fi
  log "reference tests will be skipped"
  exit 0
}

# Commands that need root (apt-get update) go through sudo only when it works without a prompt.
as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"
  elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then sudo -n "$@"
  else return 1
  fi
}

for tool in apt-get apt-cache dpkg dpkg-deb; do
  command -v "$tool" >/dev/null 2>&1 || unavailable "$tool not found: the CrowdSec reference comes from Debian's apt repositories"
done

mkdir -p "$dir"
cd "$dir"

is_extracted() {
  local pkg=$1 marker="$dir/$1/.extracted-from"
  [ -f "$marker" ] && [ -f "$dir/$(cat "$marker")" ]
}

missing=()
for pkg in "${packages[@]}"; do
  is_extracted "$pkg" || missing+=("$pkg")
done

if [ ${#missing[@]} -gt 0 ]; then
  # `apt-cache show` fails when the package lists were never downloaded (fresh containers).
  if ! apt-cache show "${missing[@]}" >/dev/null 2>&1; then
    log "package lists lack ${missing[*]}; running apt-get update"
    as_root apt-get update -qq >&2 || unavailable "apt-get update failed (needs root and Debian's repositories)"
    apt-cache show "${missing[@]}" >/dev/null 2>&1 \
      || unavailable "apt knows no package among: ${missing[*]} (not a Debian 12+ apt source?)"
  fi

  for pkg in "${missing[@]}"; do
    # Reuse an already downloaded .deb (the first one apt-get download would produce has the same name).
    deb=$(ls -1 "${pkg}"_*.deb 2>/dev/null | sort -V | tail -n 1 || true)
    if [ -z "$deb" ]; then
      log "downloading $pkg"
      # As root apt would hand the download to the _apt sandbox user, which may not reach $dir.
      apt-get download -qq -o APT::Sandbox::User=root "$pkg" >&2 \
        || unavailable "apt-get download $pkg failed (no access to Debian's repositories?)"
      deb=$(ls -1 "${pkg}"_*.deb | sort -V | tail -n 1)
    fi
    version=$(dpkg-deb -f "$deb" Version)
    case "$version" in
      "${expected_version[$pkg]}"-*) ;;
      *) log "warning: $pkg is $version; the compatibility spec was written against ${expected_version[$pkg]}" ;;
    esac
    rm -rf "${dir:?}/$pkg.tmp"
    dpkg -x "$deb" "$dir/$pkg.tmp"
    printf '%s\n' "$deb" > "$dir/$pkg.tmp/.extracted-from"
    rm -rf "${dir:?}/$pkg"
    mv "$dir/$pkg.tmp" "$dir/$pkg"
    log "unpacked $deb into $dir/$pkg"
  done
fi

rm -f "$dir/.unavailable"
printf '%s\n' "$dir"
