#!/usr/bin/env bash
# Sets up a fresh machine and starts the app on its embedded default: SQLite in memory, guest
# sign-in, and the local emulators (Kubernetes API :6443, GKE :8443, metadata server :8988,
# Cloud Storage :4443 for the template's Terraform state, Compute/Service Usage/Resource Manager
# :8990 for its preflight) serving the demo cluster; clusters the
# template creates get their own emulated API server.
# Open http://localhost:3000 and press Enter. Ctrl-C stops everything.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$REPO_ROOT"

bash scripts/setup.sh

# A fresh token per run: the emulators require it and the backend's kubernetes config reads it.
EMULATOR_TOKEN="${EMULATOR_TOKEN:-$(node -e "process.stdout.write(require('node:crypto').randomBytes(24).toString('hex'))")}"
export EMULATOR_TOKEN

# The backend's Application Default Credentials come from the emulators' metadata server, as they
# come from GKE's metadata server (Workload Identity) in production: never from this machine's
# gcloud configuration or a key file.
export GCE_METADATA_HOST=127.0.0.1:8988
export METADATA_SERVER_DETECTION=assume-present
export CLOUDSDK_CONFIG="$REPO_ROOT/.emulators/gcloud"
unset GOOGLE_APPLICATION_CREDENTIALS

# Files the backend's development config reads: CAs, kubeconfig, the offline Kueue manifest,
# the terraform sandbox (schema-serving google provider) and created clusters' catalog entities.
export EMULATORS_DIR="$REPO_ROOT/.emulators"
mkdir -p "$EMULATORS_DIR/catalog"
node packages/terraform-schema-provider/bin/terraform-google-mirror "$EMULATORS_DIR/terraform" >/dev/null

ready_log="$(mktemp)"
yarn workspace @gpu-platform/emulators start --out-dir "$EMULATORS_DIR" --gcs-port 4443 --cloud-port 8990 >"$ready_log" 2>&1 &
emulators_pid=$!
trap 'kill "$emulators_pid" 2>/dev/null || true; rm -f "$ready_log"' EXIT

for _ in $(seq 1 120); do
  if grep -q 'emulators ready' "$ready_log"; then break; fi
  if ! kill -0 "$emulators_pid" 2>/dev/null; then
    cat "$ready_log" >&2
    echo "start: the emulators failed to start" >&2
    exit 1
  fi
  sleep 0.5
done
grep 'emulators ready' "$ready_log" || { cat "$ready_log" >&2; echo "start: emulators not ready after 60s" >&2; exit 1; }

# A created cluster's DNS-based control-plane endpoint is served, as on GKE, with a certificate the
# client's own trust store must accept (kubeconfigs for it carry no CA). In production that is a
# public CA; here the backend trusts the emulators' CA in addition to Node's roots.
export NODE_EXTRA_CA_CERTS="$EMULATORS_DIR/kubernetes-ca.pem"

yarn start
