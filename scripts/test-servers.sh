#!/usr/bin/env bash
# Debian packages the end-to-end tests start themselves (on loopback or inside network namespaces
# they create): PostgreSQL for the store suite, nftables and iproute2 to inspect what the real
# firewall bouncer does, nginx, openssl. Idempotent; without root or apt-get it says what is
# missing and the tests that need it skip with that reason (under CI they fail instead:
# test/helpers/requirement.ts).
set -uo pipefail

# Look tools up on the system's PATH only: under npm, node_modules/.bin comes first, and a
# package's `nft` (@vercel/nft, a dependency of a dependency) would pass for nftables.
have() { PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin command -v "$1" >/dev/null 2>&1; }

need=()
[ -x "$(ls -d /usr/lib/postgresql/*/bin/initdb 2>/dev/null | tail -1)" ] || need+=(postgresql)
have nft || need+=(nftables)
have ip || need+=(iproute2)
[ -x /usr/sbin/nginx ] || need+=(nginx)    # in front of the nginx bouncer (test/bouncers/nginx.test.ts)
have openssl || need+=(openssl)   # TLS certificates for test/api/security.test.ts
[ ${#need[@]} -eq 0 ] && exit 0

if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "test-servers: installing ${need[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null 2>&1 \
    || { apt-get update -qq >/dev/null 2>&1 && apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null; } \
    || echo "test-servers: could not install ${need[*]}; those tests will skip" >&2
  # Debian starts a default cluster on install; the tests run their own private one.
  if [[ " ${need[*]} " == *" postgresql "* ]] && command -v pg_ctlcluster >/dev/null 2>&1; then
    for c in $(pg_lsclusters -h 2>/dev/null | awk '{print $1"/"$2}'); do pg_ctlcluster "${c%/*}" "${c#*/}" stop >/dev/null 2>&1 || true; done
  fi
else
  echo "test-servers: missing ${need[*]} (run as root with apt-get to install); those tests will skip" >&2
  exit 0
fi
exit 0
