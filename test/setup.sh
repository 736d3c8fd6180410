#!/usr/bin/env bash
# One-time setup of a fresh machine: system packages the tests use, then the npm dependencies
# (which bring Node 24 into node_modules/.bin, so every npm script runs on Node 24).
# Safe to run again; it installs only what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

# --if-needed (npm start): skip each step that is already done, and print nothing then.
if_needed=false
[ "${1:-}" = "--if-needed" ] && if_needed=true

# Debian packages the test suite needs, as "command:package" pairs.
DEBIAN_PACKAGES=(
  "mariadb:mariadb-client"   # an independent MySQL client for the simulator's conformance tests
  "/usr/sbin/nginx:nginx-light" # the FE proxy's nginx in the world (image table: nginx)
)

missing=()
for pair in "${DEBIAN_PACKAGES[@]}"; do
  command -v "${pair%%:*}" >/dev/null 2>&1 || missing+=("${pair#*:}")
done
if ((${#missing[@]} > 0)); then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  echo "setup: installing Debian packages: ${missing[*]}"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# npm writes node_modules/.package-lock.json after an install: newer than the lock file means done.
if ! $if_needed || [ ! node_modules/.package-lock.json -nt package-lock.json ] || [ ! -x node_modules/.bin/node ]; then
  npm ci --no-fund --no-audit
fi

# The agent's single executables (dist/starrocks-agent, dist/starrocks-agent-linux-arm64): the
# arm64 Node binary comes from the npm registry once (.cache/node-bin/), so tests that check the
# executables later build them offline.
if ! $if_needed || [ ! -x dist/starrocks-agent ] || [ -n "$(find agent images/build-sea.ts package-lock.json -newer dist/starrocks-agent -print -quit)" ]; then
  node_modules/.bin/node images/build-sea.ts
fi

# The Kubernetes world's binaries (etcd, kube-apiserver, kube-controller-manager, kube-scheduler,
# CoreDNS), helm and promtool (the chart's and /metrics' tests), built from their Go modules once
# and cached outside the work tree; a no-op when cached.
if $if_needed; then
  # Its one line when the binaries are cached says nothing new.
  node_modules/.bin/node test/world/build.ts | { grep -v '^world binaries: ready' || true; }
else
  node_modules/.bin/node test/world/build.ts
fi
