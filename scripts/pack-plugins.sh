#!/usr/bin/env bash
# Builds the five plugin packages and packs each as it would be published (yarn pack runs
# Backstage's prepack: entry points and exports move to dist, workspace ranges become versions,
# config.d.ts becomes config.schema.json, the scaffolder module copies in templates/*).
# Usage: bash scripts/pack-plugins.sh [output directory, default ./packs]
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$REPO_ROOT"
out="$(mkdir -p "${1:-packs}" && cd "${1:-packs}" && pwd)"

yarn tsc # the declarations (dist-types) the builds bundle
for name in gpu-cluster-common gpu-cluster-node gpu-cluster-backend \
  scaffolder-backend-module-gpu-cluster gpu-cluster; do
  (
    cd "plugins/$name"
    yarn backstage-cli package build
    yarn pack --out "$out/$name.tgz" >/dev/null
  )
  echo "$out/$name.tgz"
done
