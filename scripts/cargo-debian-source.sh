#!/usr/bin/env bash
# Point cargo at Debian's packaged crate sources when they are present (this machine cannot reach
# the public crate registry). Written into the repo's .cargo/ (git-ignored) so Cargo.toml stays
# ordinary and builds against the public registry elsewhere.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
if [ -d /usr/share/cargo/registry ]; then
  mkdir -p "$top/.cargo"
  cat > "$top/.cargo/config.toml" <<'CFG'
[source.crates-io]
replace-with = "debian"

[source.debian]
directory = "/usr/share/cargo/registry"

[net]
offline = true
CFG
fi
