/*
 * Backstage's own Jest configuration for the package in the working directory (what
 * `backstage-cli package test` uses), for a run on Node 22 by scripts/test-node22.sh: the one
 * native module the tests load, better-sqlite3 (the test databases), is mapped to a build for
 * Node 22's ABI, since the repository's node_modules holds the build for the machine's Node.
 * Everything else is the repository's installed code.
 */
const sqlite = process.env.GPU_CLUSTER_NODE22_SQLITE;
if (!sqlite) {
  throw new Error(
    'GPU_CLUSTER_NODE22_SQLITE is not set: run this through scripts/test-node22.sh',
  );
}

function withNode22Sqlite(config) {
  return {
    ...config,
    moduleNameMapper: {
      ...config.moduleNameMapper,
      '^better-sqlite3$': sqlite,
    },
  };
}

module.exports = require('@backstage/cli/config/jest').then(config =>
  config.projects
    ? { ...config, projects: config.projects.map(withNode22Sqlite) }
    : withNode22Sqlite(config),
);
