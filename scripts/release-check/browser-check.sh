#!/usr/bin/env bash
# The browser half of scripts/release-check.sh: starts the project's emulators (Kubernetes API
# :6443, GKE :8443, ...) and the fresh app's backend as deployed from its build (:7007, serving
# the built frontend through app-backend) with the app's own app-config.yaml plus app-config.release-check.yaml
# (gpuCluster pointed at the emulators, the demo cluster's catalog entity), then runs
# freshApp.spec.ts in Debian's Chromium. Loopback only; every process it starts runs in its own
# process group and is killed on exit. release-check.sh runs it in a private network namespace.
# Usage: bash scripts/release-check/browser-check.sh <deployed backend bundle> <work directory>
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
. "$here/../env.sh"
deploy="$(cd "$1" && pwd)"
work="$(cd "$2" && pwd)"

EMULATOR_TOKEN="$(node -e "process.stdout.write(require('node:crypto').randomBytes(24).toString('hex'))")"
export EMULATOR_TOKEN
export EMULATORS_DIR="$work/emulators"
export DEMO_CLUSTER_ENTITIES="$REPO_ROOT/packages/emulators/catalog/demo-cluster.yaml"
mkdir -p "$EMULATORS_DIR"
# The backend's Application Default Credentials come from the emulators' metadata server, never
# from this machine's gcloud configuration or key files (as scripts/start.sh).
export GCE_METADATA_HOST=127.0.0.1:8988
export METADATA_SERVER_DETECTION=assume-present
export CLOUDSDK_CONFIG="$EMULATORS_DIR/gcloud"
unset GOOGLE_APPLICATION_CREDENTIALS

pids=()
cleanup() {
  for pid in "${pids[@]}"; do
    kill -TERM -- "-$pid" 2>/dev/null || true
  done
  sleep 2
  for pid in "${pids[@]}"; do
    kill -KILL -- "-$pid" 2>/dev/null || true
  done
}
trap cleanup EXIT

# wait_for <seconds> <what> <pid> <command...>: polls the command once a second.
wait_for() {
  local seconds="$1" what="$2" pid="$3"
  shift 3
  for _ in $(seq 1 "$seconds"); do
    if "$@" >/dev/null 2>&1; then return 0; fi
    if ! kill -0 "$pid" 2>/dev/null; then
      echo "browser-check: $what exited before it was ready" >&2
      return 1
    fi
    sleep 1
  done
  echo "browser-check: $what not ready after ${seconds}s" >&2
  return 1
}

echo "browser-check: starting the emulators (log $work/emulators.log)"
(cd "$REPO_ROOT" && exec setsid yarn workspace @gpu-platform/emulators start \
  --out-dir "$EMULATORS_DIR") >"$work/emulators.log" 2>&1 &
pids+=("$!")
wait_for 120 "the emulators" "${pids[-1]}" grep -q 'emulators ready' "$work/emulators.log" || {
  tail -30 "$work/emulators.log" >&2
  exit 1
}

echo "browser-check: starting the app's built backend on $(node --version) (log $work/backend.log)"
# As the app's Dockerfile runs it: from the deployed bundle's root, NODE_ENV=production.
(cd "$deploy" && NODE_ENV=production exec setsid node packages/backend \
  --config app-config.yaml --config "$here/app-config.release-check.yaml") \
  >"$work/backend.log" 2>&1 &
pids+=("$!")
wait_for 240 "the backend" "${pids[-1]}" \
  curl -sf http://127.0.0.1:7007/.backstage/health/v1/readiness || {
  tail -40 "$work/backend.log" >&2
  exit 1
}
# The frontend is served by the backend (app-backend serves packages/app/dist). Read whole
# first: `curl | grep -q` fails under pipefail when grep stops reading early.
index_html="$(curl -sf http://127.0.0.1:7007/)" || index_html=""
grep -q '<div id="root">' <<<"$index_html" || {
  echo "browser-check: the backend does not serve the built frontend at /" >&2
  exit 1
}

echo "browser-check: Chromium (results and screenshots in $work/browser-results)"
cd "$REPO_ROOT"
RELEASE_CHECK_RESULTS="$work/browser-results" \
  timeout 600 yarn playwright test --config scripts/release-check/playwright.config.ts
find "$work/browser-results" -name '*.png' | sort
