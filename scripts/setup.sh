#!/usr/bin/env bash
# Sets up a fresh machine (Node 20+, npm, apt) for this repository: Yarn 4 through corepack,
# the system packages the tests need, and the workspace's dependencies from yarn.lock.
#
#   scripts/setup.sh           # dependencies for running the app
#   scripts/setup.sh --tests   # also Chromium (browser tests) and PostgreSQL (production-path test)
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$REPO_ROOT"

with_tests=false
[ "${1:-}" = "--tests" ] && with_tests=true

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else
    echo "setup: '$*' needs root; install it by hand" >&2; return 1; fi
}

apt_updated=false
apt_install() {
  if ! $apt_updated; then
    as_root apt-get update -qq
    apt_updated=true
  fi
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

if $with_tests; then
  # Debian's Chromium: Playwright drives it through executablePath and never downloads one.
  if [ ! -x "${CHROMIUM_PATH}" ]; then
    echo "setup: installing Chromium from Debian"
    apt_install chromium
  fi
  # Server binaries for the throwaway PostgreSQL of the production-path test.
  if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 && ! command -v initdb >/dev/null; then
    echo "setup: installing PostgreSQL server binaries from Debian"
    apt_install postgresql
  fi
fi

for tool in terraform kubectl; do
  command -v "$tool" >/dev/null || echo "setup: warning: $tool is not on PATH; the tests that run it will fail" >&2
done

echo "setup: yarn $(yarn --version), node $(node --version)"
# --immutable: a fresh machine installs exactly what yarn.lock records.
yarn install --immutable
