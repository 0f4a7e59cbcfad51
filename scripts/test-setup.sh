#!/usr/bin/env bash
# First step of `pnpm test`: makes the machine ready for the suites, idempotently and at once when it already is.
# - the system packages the suites need, by every test/*/setup.sh (Chromium for the browser tests, Go for the
#   chart renderer, …); installing needs root (apt-get), as on CI;
# - the local PostgreSQL the tests talk to (127.0.0.1:5432, user root, trust), started when it is installed but
#   down. Set JOBNIK_TEST_STORES=pglite to run without PostgreSQL.
set -euo pipefail
cd "$(dirname "$0")/.."

for setup in test/*/setup.sh; do
  bash "$setup"
done

if [[ "${JOBNIK_TEST_STORES:-pglite,postgres}" == *postgres* ]] && command -v pg_isready >/dev/null 2>&1; then
  if ! pg_isready -h 127.0.0.1 -p 5432 -q; then
    if command -v pg_ctlcluster >/dev/null 2>&1 && [ -d /etc/postgresql ]; then
      echo "== starting PostgreSQL"
      pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | sort -V | tail -1)" main start || true
      for _ in $(seq 1 60); do pg_isready -h 127.0.0.1 -p 5432 -q && break; sleep 1; done
    fi
    pg_isready -h 127.0.0.1 -p 5432 || { echo "PostgreSQL is not answering on 127.0.0.1:5432 (or set JOBNIK_TEST_STORES=pglite)" >&2; exit 1; }
  fi
fi
