#!/usr/bin/env bash
# `npm start [-- ARGS]`: set up if needed, then run the crowdwatch CLI with ARGS. With no ARGS,
# the main job on the embedded defaults: replay a bundled sshd + nginx sample through our own
# parsers and scenarios, and print the alerts.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
if [ $# -eq 0 ]; then
  node bin/crowdwatch.js replay test/fixtures/demo/auth.log --type syslog
  exec node bin/crowdwatch.js replay test/fixtures/demo/access.log --type nginx
fi
exec node bin/crowdwatch.js "$@"
