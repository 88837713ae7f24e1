'use strict';

/*
 * The recorded hashicorp/google 6.50 schema: lazy loading, the hand-written provider
 * configuration block (absent from the dump), and conversion to tfplugin6 Schema messages.
 */

const fs = require('node:fs');
const path = require('node:path');

const PROVIDER_SOURCE = 'registry.terraform.io/hashicorp/google';
const PROVIDER_VERSION = '6.50.0';
// The provider runs unbundled from source (the launcher execs this file), so __dirname is right.
// eslint-disable-next-line no-restricted-syntax
const schemaDir = path.resolve(__dirname, '../../schema');
const SCHEMA_FILE = path.join(schemaDir, 'google-provider-schema.json');

/**
 * A subset of the real provider block (which has over 100 attributes, mostly *_custom_endpoint):
 * the arguments configurations in this project and in the seeds use.
 */
const PROVIDER_CONFIG_BLOCK = {
  attributes: {
    project: {
      type: 'string',
      optional: true,
      description: 'Default project.',
    },
    region: { type: 'string', optional: true, description: 'Default region.' },
    zone: { type: 'string', optional: true, description: 'Default zone.' },
    billing_project: { type: 'string', optional: true },
    user_project_override: { type: 'bool', optional: true },
    credentials: { type: 'string', optional: true, sensitive: true },
    access_token: { type: 'string', optional: true, sensitive: true },
    impersonate_service_account: { type: 'string', optional: true },
    impersonate_service_account_delegates: {
      type: ['list', 'string'],
      optional: true,
    },
    scopes: { type: ['list', 'string'], optional: true },
    request_timeout: { type: 'string', optional: true },
    request_reason: { type: 'string', optional: true },
    universe_domain: { type: 'string', optional: true },
    default_labels: { type: ['map', 'string'], optional: true },
    add_terraform_attributes_label: { type: 'bool', optional: true },
  },
  block_types: {
    batching: {
      nesting_mode: 'list',
      max_items: 1,
      block: {
        attributes: {
          send_after: { type: 'string', optional: true },
          enable_batching: { type: 'bool', optional: true },
        },
      },
    },
  },
};

let loaded;

/** The provider's schemas, parsed on first use only: most RPCs never need them. */
function loadSchemas() {
  if (!loaded) {
    const document = JSON.parse(fs.readFileSync(SCHEMA_FILE, 'utf8'));
    const provider = document.provider_schemas[PROVIDER_SOURCE];
    loaded = {
      provider: { version: 0, block: PROVIDER_CONFIG_BLOCK },
      resources: provider.resource_schemas || {},
      dataSources: provider.data_source_schemas || {},
    };
  }
  return loaded;
}

function resourceSchema(typeName) {
  return loadSchemas().resources[typeName];
}

function dataSourceSchema(typeName) {
  return loadSchemas().dataSources[typeName];
}

const NESTING = {
  single: 'SINGLE',
  list: 'LIST',
  set: 'SET',
  map: 'MAP',
  group: 'GROUP',
};
const descriptionKind = kind => (kind === 'markdown' ? 'MARKDOWN' : 'PLAIN');

function attributeToProto(name, attribute) {
  const message = {
    name,
    description: attribute.description || '',
    description_kind: descriptionKind(attribute.description_kind),
    required: Boolean(attribute.required),
    optional: Boolean(attribute.optional),
    computed: Boolean(attribute.computed),
    sensitive: Boolean(attribute.sensitive),
    deprecated: Boolean(attribute.deprecated),
    write_only: Boolean(attribute.write_only),
  };
  if (attribute.nested_type) {
    message.nested_type = {
      nesting: NESTING[attribute.nested_type.nesting_mode],
      attributes: Object.entries(attribute.nested_type.attributes || {}).map(
        ([n, a]) => attributeToProto(n, a),
      ),
    };
  } else {
    message.type = Buffer.from(JSON.stringify(attribute.type));
  }
  return message;
}

function blockToProto(block, version) {
  return {
    version: version || 0,
    description: block.description || '',
    description_kind: descriptionKind(block.description_kind),
    deprecated: Boolean(block.deprecated),
    attributes: Object.entries(block.attributes || {}).map(
      ([name, attribute]) => attributeToProto(name, attribute),
    ),
    block_types: Object.entries(block.block_types || {}).map(
      ([name, nested]) => ({
        type_name: name,
        nesting: NESTING[nested.nesting_mode],
        min_items: nested.min_items || 0,
        max_items: nested.max_items || 0,
        block: blockToProto(nested.block, 0),
      }),
    ),
  };
}

function schemaToProto(schema) {
  return {
    version: schema.version || 0,
    block: blockToProto(schema.block, schema.version),
  };
}

/** The full GetProviderSchema.Response message (as a plain object for protobufjs). */
function buildProviderSchemaResponse() {
  const schemas = loadSchemas();
  const mapValues = entries =>
    Object.fromEntries(
      Object.entries(entries).map(([name, s]) => [name, schemaToProto(s)]),
    );
  return {
    provider: schemaToProto(schemas.provider),
    resource_schemas: mapValues(schemas.resources),
    data_source_schemas: mapValues(schemas.dataSources),
    diagnostics: [],
    server_capabilities: {
      plan_destroy: true,
      get_provider_schema_optional: false,
    },
    functions: {},
  };
}

/** A key that changes whenever the schema file or this converter changes (for on-disk caches). */
function schemaCacheKey() {
  const stat = fs.statSync(SCHEMA_FILE);
  const converter = fs.statSync(__filename);
  return `${PROVIDER_VERSION}-${stat.size}-${Math.floor(
    stat.mtimeMs,
  )}-${Math.floor(converter.mtimeMs)}`;
}

module.exports = {
  PROVIDER_SOURCE,
  PROVIDER_VERSION,
  SCHEMA_FILE,
  PROVIDER_CONFIG_BLOCK,
  loadSchemas,
  resourceSchema,
  dataSourceSchema,
  buildProviderSchemaResponse,
  schemaCacheKey,
};
