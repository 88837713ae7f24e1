#!/usr/bin/env node
'use strict';

// Entry point of the schema-serving provider plugin process (started by Terraform through the
// launcher the sandbox writes into the filesystem mirror).
const { servePlugin } = require('./server');

servePlugin().catch(error => {
  process.stderr.write(
    `terraform-provider-google (schema-serving) failed to start: ${error.stack}\n`,
  );
  process.exit(1);
});
