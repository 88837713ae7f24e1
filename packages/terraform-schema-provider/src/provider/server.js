'use strict';

/*
 * The plugin process: go-plugin handshake, automatic mTLS, and the tfplugin6 gRPC service.
 *
 * Environment (set by Terraform): TF_PLUGIN_MAGIC_COOKIE, PLUGIN_PROTOCOL_VERSIONS,
 * PLUGIN_CLIENT_CERT. Set by the sandbox: TF_SCHEMA_PROVIDER_CACHE_DIR (reused TLS key and
 * pre-serialised schema, which keeps the 2-4 plugin starts per terraform command cheap) and
 * TF_SCHEMA_PROVIDER_LOG (a file to append a line per RPC to, for debugging).
 */

const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const grpc = require('@grpc/grpc-js');
const protoLoader = require('@grpc/proto-loader');
const {
  UNKNOWN,
  decodeDynamic,
  encodeDynamic,
  conformBlock,
} = require('./values');
const {
  resourceSchema,
  dataSourceSchema,
  loadSchemas,
  buildProviderSchemaResponse,
  schemaCacheKey,
} = require('./schema');
const { loadOrCreateTlsIdentity } = require('./tls');
const behaviour = require('./behaviour');
const { gkeBackendConfig } = require('./gke/config');

const MAGIC_COOKIE_KEY = 'TF_PLUGIN_MAGIC_COOKIE';
const MAGIC_COOKIE_VALUE =
  'd602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2';
const CORE_PROTOCOL_VERSION = 1;
const APP_PROTOCOL_VERSION = 6;

const LOADER_OPTIONS = {
  keepCase: true,
  longs: Number,
  enums: String,
  defaults: false,
  oneofs: true,
};

function logLine(message) {
  const file = process.env.TF_SCHEMA_PROVIDER_LOG;
  if (file)
    fs.appendFileSync(
      file,
      `${new Date().toISOString()} ${process.pid} ${message}\n`,
    );
}

function errorDiagnostic(summary, detail) {
  return { severity: 'ERROR', summary, detail: detail || '' };
}

/** The pre-serialised GetProviderSchema response, from the cache dir when it is fresh. */
function providerSchemaBytes(serialize) {
  const cacheDir = process.env.TF_SCHEMA_PROVIDER_CACHE_DIR;
  const cacheFile =
    cacheDir && path.join(cacheDir, `schema-${schemaCacheKey()}.pb`);
  if (cacheFile && fs.existsSync(cacheFile)) return fs.readFileSync(cacheFile);
  const bytes = serialize(buildProviderSchemaResponse());
  if (cacheFile) {
    const temporary = `${cacheFile}.${process.pid}.tmp`;
    fs.writeFileSync(temporary, bytes);
    fs.renameSync(temporary, cacheFile);
  }
  return bytes;
}

/** The GKE backend when the environment configures one; a configuration error to report otherwise. */
function gkeBackendFromEnv(env) {
  try {
    const config = gkeBackendConfig(env);
    if (!config) return {};
    // Loaded only when configured: the official client takes a while to load, and terraform
    // starts this plugin several times per command.
    const { GkeBackend } = require('./gke/backend');
    return { backend: new GkeBackend(config) };
  } catch (error) {
    return { error: error.message };
  }
}

function createProviderService(shutdown, env = process.env) {
  const state = { defaults: behaviour.providerDefaults({}) };
  const gke = gkeBackendFromEnv(env);
  const gkeHandles = typeName =>
    Boolean(gke.backend && gke.backend.handles(typeName));

  const withSchema = (lookup, kind, call, callback, handle) => {
    const schema = lookup(call.request.type_name);
    if (!schema) {
      callback(null, {
        diagnostics: [
          errorDiagnostic(
            `Unknown ${kind} type`,
            `"${call.request.type_name}" is not in the schema.`,
          ),
        ],
      });
      return;
    }
    try {
      callback(null, handle(schema));
    } catch (error) {
      logLine(`error ${call.request.type_name}: ${error.stack}`);
      callback(null, {
        diagnostics: [
          errorDiagnostic(
            'Schema-serving provider failure',
            String(error.message),
          ),
        ],
      });
    }
  };

  /** Container resources with a GKE backend: GKE's calls, GKE's errors, GKE's computed values. */
  const applyThroughGke = (call, callback) => {
    const typeName = call.request.type_name;
    const schema = resourceSchema(typeName);
    const prior = decodeDynamic(call.request.prior_state);
    gke.backend
      .apply({
        typeName,
        schema,
        prior,
        planned: decodeDynamic(call.request.planned_state),
        defaults: state.defaults,
        fill: planned =>
          behaviour.applyResourceChange({
            typeName,
            schema,
            planned,
            defaults: state.defaults,
          }),
      })
      .then(
        newState =>
          callback(null, {
            new_state: encodeDynamic(newState),
            private: call.request.planned_private,
            diagnostics: [],
            legacy_type_system: true,
          }),
        error => {
          logLine(`gke ${typeName}: ${error.message}`);
          // Nothing changed: the resource keeps its prior state (none when it was being created).
          callback(null, {
            new_state: encodeDynamic(prior),
            private: call.request.planned_private,
            diagnostics: [errorDiagnostic(error.message)],
            legacy_type_system: true,
          });
        },
      );
  };

  return {
    GetMetadata(_call, callback) {
      const schemas = loadSchemas();
      callback(null, {
        server_capabilities: { plan_destroy: true },
        resources: Object.keys(schemas.resources).map(type_name => ({
          type_name,
        })),
        data_sources: Object.keys(schemas.dataSources).map(type_name => ({
          type_name,
        })),
        diagnostics: [],
      });
    },
    // The handler returns a Buffer that the patched serializer passes through untouched.
    GetProviderSchema: null,
    ValidateProviderConfig(_call, callback) {
      callback(null, { diagnostics: [] });
    },
    ValidateResourceConfig(call, callback) {
      withSchema(resourceSchema, 'resource', call, callback, () => ({
        diagnostics: [],
      }));
    },
    ValidateDataResourceConfig(call, callback) {
      withSchema(dataSourceSchema, 'data source', call, callback, () => ({
        diagnostics: [],
      }));
    },
    ConfigureProvider(call, callback) {
      state.defaults = behaviour.providerDefaults(
        decodeDynamic(call.request.config),
      );
      callback(null, {
        diagnostics: gke.error
          ? [errorDiagnostic('Invalid GKE backend configuration', gke.error)]
          : [],
      });
    },
    UpgradeResourceState(call, callback) {
      withSchema(resourceSchema, 'resource', call, callback, schema => {
        const raw = call.request.raw_state || {};
        const json =
          raw.json && raw.json.length > 0
            ? JSON.parse(Buffer.from(raw.json).toString('utf8'))
            : null;
        return {
          upgraded_state: encodeDynamic(conformBlock(schema.block, json)),
          diagnostics: [],
        };
      });
    },
    ReadResource(call, callback) {
      if (gkeHandles(call.request.type_name)) {
        gke.backend
          .read({
            typeName: call.request.type_name,
            state: decodeDynamic(call.request.current_state),
            defaults: state.defaults,
          })
          .then(
            current =>
              callback(null, {
                new_state: encodeDynamic(current),
                private: call.request.private,
                diagnostics: [],
              }),
            error =>
              callback(null, {
                new_state: call.request.current_state,
                private: call.request.private,
                diagnostics: [errorDiagnostic(error.message)],
              }),
          );
        return;
      }
      withSchema(resourceSchema, 'resource', call, callback, () => ({
        new_state: call.request.current_state,
        private: call.request.private,
        diagnostics: [],
      }));
    },
    PlanResourceChange(call, callback) {
      withSchema(resourceSchema, 'resource', call, callback, schema => {
        const prior = decodeDynamic(call.request.prior_state);
        const { planned, requiresReplace } = behaviour.planResourceChange({
          typeName: call.request.type_name,
          schema,
          prior,
          proposed: decodeDynamic(call.request.proposed_new_state),
          defaults: state.defaults,
        });
        const gkeManaged = gkeHandles(call.request.type_name);
        if (
          gkeManaged &&
          planned &&
          Array.isArray(planned.master_auth) &&
          planned.master_auth.length === 0
        ) {
          // GKE computes master_auth: unknown until the cluster exists, then kept while the
          // configuration has no block (an Optional+Computed block of the SDKv2 provider).
          planned.master_auth =
            prior && Array.isArray(prior.master_auth)
              ? prior.master_auth
              : UNKNOWN;
        }
        return {
          planned_state: encodeDynamic(planned),
          requires_replace: requiresReplace,
          planned_private: call.request.prior_private,
          diagnostics: [],
          legacy_type_system: gkeManaged,
        };
      });
    },
    ApplyResourceChange(call, callback) {
      if (gkeHandles(call.request.type_name)) {
        applyThroughGke(call, callback);
        return;
      }
      withSchema(resourceSchema, 'resource', call, callback, schema => ({
        new_state: encodeDynamic(
          behaviour.applyResourceChange({
            typeName: call.request.type_name,
            schema,
            planned: decodeDynamic(call.request.planned_state),
            defaults: state.defaults,
          }),
        ),
        private: call.request.planned_private,
        diagnostics: [],
      }));
    },
    ImportResourceState(call, callback) {
      callback(null, {
        imported_resources: [],
        diagnostics: [
          errorDiagnostic(
            'Import is not supported',
            'The schema-serving provider has no cloud to import from.',
          ),
        ],
      });
    },
    ReadDataSource(call, callback) {
      withSchema(dataSourceSchema, 'data source', call, callback, schema => ({
        state: encodeDynamic(
          behaviour.readDataSource({
            typeName: call.request.type_name,
            schema,
            config: decodeDynamic(call.request.config),
            defaults: state.defaults,
          }),
        ),
        diagnostics: [],
      }));
    },
    GetFunctions(_call, callback) {
      callback(null, { functions: {}, diagnostics: [] });
    },
    StopProvider(_call, callback) {
      callback(null, {});
      shutdown();
    },
  };
}

function loadDefinitions() {
  // eslint-disable-next-line no-restricted-syntax -- runs unbundled from source (the launcher execs this file)
  const dir = path.join(__dirname, 'proto');
  const tfplugin = protoLoader.loadSync(
    path.join(dir, 'tfplugin6.proto'),
    LOADER_OPTIONS,
  );
  const controller = protoLoader.loadSync(
    path.join(dir, 'grpc_controller.proto'),
    LOADER_OPTIONS,
  );
  return {
    provider: grpc.loadPackageDefinition(tfplugin).tfplugin6.Provider.service,
    controller:
      grpc.loadPackageDefinition(controller).plugin.GRPCController.service,
  };
}

/**
 * Starts the plugin server and prints the go-plugin handshake line. Resolves once serving.
 */
async function servePlugin() {
  if (process.env[MAGIC_COOKIE_KEY] !== MAGIC_COOKIE_VALUE) {
    process.stderr.write(
      'This binary is a Terraform provider plugin. It is not meant to be run directly; ' +
        'use terraform with the sandbox CLI configuration (terraform-google-mirror).\n',
    );
    process.exitCode = 1;
    return undefined;
  }
  const offered = (process.env.PLUGIN_PROTOCOL_VERSIONS || '6')
    .split(',')
    .map(v => v.trim());
  if (!offered.includes(String(APP_PROTOCOL_VERSION))) {
    process.stderr.write(
      `Terraform offered protocol versions ${offered.join(
        ',',
      )}; only 6 is served.\n`,
    );
    process.exitCode = 1;
    return undefined;
  }

  const definitions = loadDefinitions();
  const socketDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tfgoogle-'));
  const socketPath = path.join(socketDir, 'plugin.sock');
  const server = new grpc.Server({
    'grpc.max_send_message_length': 256 * 1024 * 1024,
  });

  let stopping = false;
  const shutdown = () => {
    if (stopping) return;
    stopping = true;
    // Reply first, then leave: go-plugin waits for the process to exit after Shutdown.
    setImmediate(() => {
      server.forceShutdown();
      fs.rmSync(socketDir, { recursive: true, force: true });
      process.exit(0);
    });
  };

  const providerService = { ...definitions.provider };
  const schemaMethod = providerService.GetProviderSchema;
  const serializeSchema = schemaMethod.responseSerialize;
  providerService.GetProviderSchema = {
    ...schemaMethod,
    responseSerialize: value =>
      Buffer.isBuffer(value) ? value : serializeSchema(value),
  };
  const handlers = createProviderService(shutdown);
  handlers.GetProviderSchema = (_call, callback) => {
    try {
      callback(null, providerSchemaBytes(serializeSchema));
    } catch (error) {
      callback(null, {
        diagnostics: [
          errorDiagnostic('Cannot load schema', String(error.message)),
        ],
      });
    }
  };
  const logged = Object.fromEntries(
    Object.entries(handlers).map(([name, handler]) => [
      name,
      (call, callback) => {
        logLine(
          `${name} ${
            call.request && call.request.type_name ? call.request.type_name : ''
          }`,
        );
        handler(call, callback);
      },
    ]),
  );
  server.addService(providerService, logged);
  server.addService(definitions.controller, {
    Shutdown(_call, callback) {
      callback(null, {});
      shutdown();
    },
  });

  const clientCert = process.env.PLUGIN_CLIENT_CERT;
  let credentials = grpc.ServerCredentials.createInsecure();
  let certField = '';
  if (clientCert) {
    const identity = loadOrCreateTlsIdentity(
      process.env.TF_SCHEMA_PROVIDER_CACHE_DIR,
    );
    credentials = grpc.ServerCredentials.createSsl(
      Buffer.from(clientCert),
      [
        {
          private_key: Buffer.from(identity.keyPem),
          cert_chain: Buffer.from(identity.certPem),
        },
      ],
      true,
    );
    // go-plugin decodes the certificate with base64.RawStdEncoding: no padding.
    certField = identity.certDer.toString('base64').replace(/=+$/, '');
  }

  await new Promise((resolve, reject) => {
    server.bindAsync(`unix://${socketPath}`, credentials, error =>
      error ? reject(error) : resolve(),
    );
  });
  // Terraform sends SIGINT to the whole process group on Ctrl-C and then asks us to stop.
  process.on('SIGINT', () => {});
  process.on('SIGTERM', shutdown);
  process.stdout.write(
    `${CORE_PROTOCOL_VERSION}|${APP_PROTOCOL_VERSION}|unix|${socketPath}|grpc|${certField}\n`,
  );
  logLine('serving');
  return server;
}

module.exports = {
  servePlugin,
  MAGIC_COOKIE_KEY,
  MAGIC_COOKIE_VALUE,
  createProviderService,
};
