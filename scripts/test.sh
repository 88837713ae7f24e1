#!/usr/bin/env bash
# Sets up a fresh machine and runs every test: type-check, lint, unit and integration
# (Jest through backstage-cli, never in watch mode), and browser end-to-end (Playwright in
# Debian's Chromium). Exits non-zero when anything fails.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$REPO_ROOT"
export CI=true  # backstage-cli starts Jest in watch mode without it

phase() {
  local name=$1
  shift
  local start=$SECONDS
  echo "::: $name"
  "$@"
  echo "::: $name done in $((SECONDS - start))s"
}

phase setup bash scripts/setup.sh --tests
# A fresh type-check (no incremental state): the API reports below are extracted from its
# declarations, and an incremental build may order unions differently.
phase type-check bash -c 'rm -rf dist-types && yarn tsc'
phase api-reports yarn api-reports:verify
phase lint yarn lint:all
phase format yarn prettier:check
phase unit-and-integration yarn test
# Alone, after the parallel run: packing rewrites package.json files for a moment.
phase packaging yarn test:packed
# Node 22 (the packages declare 20 || 22 || 24; the phases above run on the machine's Node 20):
# a subset that fits the CI budget, about 4-5 min (measured: common 4 s, backend 149 s, packed
# bin 40 s; on a fresh machine + Node 22's download 6 s and the better-sqlite3 build ~1 min): the
# shared spec, the backend (SQLite, gRPC, the informers) and the packed bin. `yarn test:node22`
# runs all five packages (12 min).
phase node22 bash scripts/test-node22.sh gpu-cluster-common gpu-cluster-backend packed
phase end-to-end yarn test:e2e
echo "::: all tests passed"
