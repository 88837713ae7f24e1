#!/usr/bin/env bash
# Shared set-up for every project script: puts Yarn 4 (through corepack) on PATH without
# naming any registry host, and lets node-gyp build native modules against this Node's headers.
# Source it: `. scripts/env.sh`.

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export REPO_ROOT="$repo_root"

# corepack fetches Yarn from the npm registry this machine is configured for; a trailing
# slash breaks its URL building, hence the sed.
if [ -z "${COREPACK_NPM_REGISTRY:-}" ]; then
  COREPACK_NPM_REGISTRY="$(npm config get registry 2>/dev/null | sed 's#/$##')"
  export COREPACK_NPM_REGISTRY
fi
export COREPACK_ENABLE_DOWNLOAD_PROMPT=0
# better-sqlite3 and friends fall back to a node-gyp source build; without nodedir node-gyp
# tries to download headers, which this network refuses.
if [ -z "${npm_config_nodedir:-}" ]; then
  if [ -f /usr/include/node/node_version.h ]; then
    export npm_config_nodedir=/usr
  else
    npm_config_nodedir="$(dirname "$(dirname "$(command -v node)")")"
    export npm_config_nodedir
  fi
fi

corepack_bin="$repo_root/.yarn/corepack-bin"
if ! command -v yarn >/dev/null 2>&1 || ! yarn --version 2>/dev/null | grep -q '^4\.'; then
  mkdir -p "$corepack_bin"
  corepack enable --install-directory "$corepack_bin" >/dev/null
  export PATH="$corepack_bin:$PATH"
fi

# Playwright must never download a browser; tests use Debian's Chromium.
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1
export CHROMIUM_PATH="${CHROMIUM_PATH:-/usr/bin/chromium}"

# The google provider cannot be downloaded here; terraform must never reach for the registry
# unless a script points it at a filesystem mirror of its own.
export CHECKPOINT_DISABLE=1
