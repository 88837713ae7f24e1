#!/usr/bin/env bash
# Release check, run by hand before a release (not part of scripts/test.sh: it scaffolds and
# installs a whole Backstage app, which takes many minutes). See docs/release-check.md.
#
# Packs the five plugin packages, scaffolds a fresh Backstage app of the release in
# backstage.json with @backstage/create-app, installs its own lockfile, adds the packed plugins
# with the lines the plugin READMEs give, then type-checks and builds the app.
# Usage: bash scripts/release-check.sh [work directory, default a new one under /tmp]
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
echo "release-check: Backstage $release, work directory $work"

step() { echo "::: release-check: $*"; }

step "pack the plugins"
bash scripts/pack-plugins.sh "$work/packs" >/dev/null

step "scaffold a Backstage app with @backstage/create-app@$create_app"
rm -rf "$app"
(cd "$work" && BACKSTAGE_APP_NAME=adopter npx --yes "@backstage/create-app@$create_app" \
  --path "$app" --skip-install)
scaffolded="$(node -p "require('$app/backstage.json').version")"
if [ "$scaffolded" != "$release" ]; then
  echo "release-check: create-app $create_app scaffolds Backstage $scaffolded, not $release; set CREATE_APP_VERSION" >&2
  exit 1
fi

cd "$app"
step "install the app from its own lockfile"
yarn install

step "add the packed plugins (resolutions point the package names at the tarballs)"
node - "$work/packs" <<'NODE'
const fs = require('fs');
const path = require('path');
const packs = process.argv[2];
const manifest = JSON.parse(fs.readFileSync('package.json', 'utf8'));
manifest.resolutions = manifest.resolutions ?? {};
for (const file of fs.readdirSync(packs)) {
  const name = file === 'scaffolder-backend-module-gpu-cluster.tgz'
    ? '@gpu-platform/backstage-plugin-scaffolder-backend-module-gpu-cluster'
    : `@gpu-platform/backstage-plugin-${file.replace(/\.tgz$/, '')}`;
  manifest.resolutions[name] = `file:${path.join(packs, file)}`;
}
fs.writeFileSync('package.json', `${JSON.stringify(manifest, null, 2)}\n`);
NODE
version="$(node -p "require('$REPO_ROOT/plugins/gpu-cluster/package.json').version")"
# The READMEs' lines (with the packed version, which the resolutions map to the tarballs):
yarn --cwd packages/app add "@gpu-platform/backstage-plugin-gpu-cluster@^$version"
yarn --cwd packages/backend add "@gpu-platform/backstage-plugin-gpu-cluster-backend@^$version" \
  "@gpu-platform/backstage-plugin-scaffolder-backend-module-gpu-cluster@^$version"

step "add the backend lines of the READMEs"
node - <<'NODE'
const fs = require('fs');
const file = 'packages/backend/src/index.ts';
let source = fs.readFileSync(file, 'utf8');
source = `import { catalogModuleGpuClusterTemplates } from '@gpu-platform/backstage-plugin-scaffolder-backend-module-gpu-cluster';\n${source}`;
source = source.replace(
  'backend.start();',
  [
    "backend.add(import('@gpu-platform/backstage-plugin-gpu-cluster-backend'));",
    "backend.add(import('@gpu-platform/backstage-plugin-scaffolder-backend-module-gpu-cluster'));",
    'backend.add(catalogModuleGpuClusterTemplates);',
    '',
    'backend.start();',
  ].join('\n'),
);
fs.writeFileSync(file, source);
NODE

step "type-check"
yarn tsc
step "build the frontend and the backend"
yarn build:all
step "the templates are in the installed package"
ls node_modules/@gpu-platform/backstage-plugin-scaffolder-backend-module-gpu-cluster/templates/*/template.yaml
echo "::: release-check passed ($app)"
