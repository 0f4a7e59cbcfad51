#!/usr/bin/env bash
# Installs what the chart tests need, all from Debian's packages: Go and the sprig template functions (with their
# dependencies) plus YAML to build the renderer, and Prometheus for the autoscaling test (keda-query.test.ts),
# which scrapes two real managers and evaluates the worker chart's KEDA query. Idempotent; the package index is refreshed only when
# something is missing. Run as root (CI runs every test/*/setup.sh before `pnpm install`).
set -euo pipefail

packages=(golang-go golang-github-masterminds-sprig-dev golang-gopkg-yaml.v3-dev prometheus)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ "${#missing[@]}" -eq 0 ]; then
  echo "== helm tests: ${packages[*]} already installed"
  exit 0
fi
echo "== helm tests: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
