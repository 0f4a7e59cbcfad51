#!/usr/bin/env bash
# Installs what the browser tests need from Debian: Chromium, driven by playwright-core.
# Idempotent: does nothing when /usr/bin/chromium is already there. Run as root (.ci/run does).
set -euo pipefail

if [ -x /usr/bin/chromium ]; then
  echo "== chromium present: $(/usr/bin/chromium --version 2>/dev/null || echo unknown version)"
  exit 0
fi

echo "== installing chromium (apt-get)"
export DEBIAN_FRONTEND=noninteractive
# Wait for another apt/dpkg run to finish rather than failing on its lock.
APT_OPTS=(-o DPkg::Lock::Timeout=600 -qq)
# Refresh the package lists only when they do not know chromium yet.
if ! apt-cache show chromium >/dev/null 2>&1; then
  apt-get "${APT_OPTS[@]}" update
fi
install_chromium() { apt-get "${APT_OPTS[@]}" install -y --no-install-recommends chromium fonts-dejavu-core >/dev/null; }
# Lists that know chromium may still be stale (the mirror moved on): refresh once and try again.
install_chromium || { apt-get "${APT_OPTS[@]}" update && install_chromium; }
/usr/bin/chromium --version
