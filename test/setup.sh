#!/usr/bin/env bash
# One-time setup of a fresh machine: system packages the tests use, then the npm dependencies
# (which bring Node 24 into node_modules/.bin, so every npm script runs on Node 24).
# Safe to run again; it installs only what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

# Debian packages the test suite needs, as "command:package" pairs.
DEBIAN_PACKAGES=(
  "mariadb:mariadb-client"   # an independent MySQL client for the simulator's conformance tests
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

npm ci --no-fund --no-audit

# The agent's single executables (dist/starrocks-agent, dist/starrocks-agent-linux-arm64): the
# arm64 Node binary comes from the npm registry once (.cache/node-bin/), so tests that check the
# executables later build them offline.
node_modules/.bin/node images/build-sea.ts

# The Kubernetes world's binaries (etcd, kube-apiserver, kube-controller-manager, kube-scheduler,
# CoreDNS), built from their Go modules once and cached outside the work tree; a no-op when cached.
node_modules/.bin/node test/world/build.ts
