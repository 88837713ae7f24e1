'use strict';

/*
 * What the fake provider does with values: planning (unknown computed values, replacement),
 * applying (deterministic values for everything the cloud would compute), reading data sources.
 * Nothing here talks to a network; every value is derived from the configuration so that two runs
 * of the same configuration produce identical states.
 */

const crypto = require('node:crypto');
const {
  UNKNOWN,
  isUnknown,
  conformBlock,
  valuesEqual,
  mapAttributes,
} = require('./values');

const FAKE_PROJECT = 'fake-project';
const FAKE_REGION = 'us-central1';
const FAKE_ZONE = 'us-central1-a';
const FAKE_GKE_VERSION = '1.33.5-gke.1162000';
const FIXED_TIMESTAMP = '2025-01-01T00:00:00Z';

function digest(text, length = 12) {
  return crypto
    .createHash('sha256')
    .update(text)
    .digest('hex')
    .slice(0, length);
}

function digits(text, length = 12) {
  const hex = digest(text, 15);
  return String(BigInt(`0x${hex}`) % 10n ** BigInt(length)).padStart(
    length,
    '1',
  );
}

const known = value =>
  typeof value === 'string' && value !== '' ? value : undefined;
const lastSegment = value =>
  known(value) ? value.split('/').pop() : undefined;

/**
 * Replacement ("ForceNew") is not in the schema dump. These are the arguments the real provider
 * replaces the resource for, for the resources this project uses; `name`, `project` and the
 * location arguments force replacement on every google resource.
 */
const ALWAYS_REPLACE = ['name', 'project', 'location', 'region', 'zone'];
const REPLACE_ON_CHANGE = {
  google_compute_network: ['auto_create_subnetworks', 'network_profile'],
  google_compute_subnetwork: ['network'],
  google_compute_firewall: ['network'],
  google_container_cluster: [
    'network',
    'subnetwork',
    'datapath_provider',
    'private_cluster_config',
  ],
  google_container_node_pool: [
    'cluster',
    'initial_node_count',
    'queued_provisioning',
    'network_config',
    'placement_policy',
    ['node_config', 0, 'machine_type'],
    ['node_config', 0, 'guest_accelerator'],
    ['node_config', 0, 'flex_start'],
    ['node_config', 0, 'spot'],
    ['node_config', 0, 'reservation_affinity'],
    ['node_config', 0, 'max_run_duration'],
  ],
  google_storage_bucket: [],
  google_service_account: ['account_id'],
  google_service_account_iam_member: ['service_account_id', 'role', 'member'],
  google_storage_bucket_iam_member: ['bucket', 'role', 'member'],
  google_project_iam_member: ['role', 'member'],
  google_project_service: ['service'],
  google_artifact_registry_repository: ['repository_id', 'format', 'mode'],
  google_cloudbuild_worker_pool: ['network_config'],
  google_filestore_instance: ['tier', 'networks'],
};

function valueAtPath(value, path) {
  let current = value;
  for (const step of path) {
    if (current === null || current === undefined || isUnknown(current))
      return current;
    current = current[step];
  }
  return current;
}

/** The AttributePath messages for arguments whose change needs a new resource. */
function replacePaths(typeName, schema, prior, proposed) {
  const candidates = [
    ...ALWAYS_REPLACE.filter(
      name => schema.block.attributes && schema.block.attributes[name],
    ),
    ...(REPLACE_ON_CHANGE[typeName] || []),
  ];
  const paths = [];
  for (const candidate of candidates) {
    const path = Array.isArray(candidate) ? candidate : [candidate];
    const before = valueAtPath(prior, path);
    const after = valueAtPath(proposed, path);
    if (before === undefined && after === undefined) continue;
    // A computed argument the configuration leaves unset keeps its prior value: no change.
    if (!valuesEqual(before ?? null, after ?? null)) {
      paths.push({
        steps: path.map(step =>
          typeof step === 'number'
            ? { element_key_int: step }
            : { attribute_name: step },
        ),
      });
    }
  }
  return paths;
}

/** The provider configuration as the rest of this file needs it. */
function providerDefaults(config) {
  const c = config || {};
  return {
    project: known(c.project) || process.env.GOOGLE_PROJECT || FAKE_PROJECT,
    region: known(c.region) || FAKE_REGION,
    zone: known(c.zone) || FAKE_ZONE,
    defaultLabels:
      c.default_labels && !isUnknown(c.default_labels) ? c.default_labels : {},
  };
}

function mergedLabels(labels, defaults) {
  if (isUnknown(labels)) return UNKNOWN;
  const merged = { ...defaults.defaultLabels, ...(labels || {}) };
  return Object.keys(merged).length > 0 ? merged : {};
}

/**
 * Plans a create or update. Terraform's proposed new state already merges config and prior
 * state; the provider marks what the cloud will decide (computed, unset) as unknown.
 */
function planResourceChange({ typeName, schema, prior, proposed, defaults }) {
  if (proposed === null) return { planned: null, requiresReplace: [] };
  const creating = prior === null;
  let planned = mapAttributes(
    schema.block,
    proposed,
    (attribute, value, path, name) => {
      if (!attribute.computed || value !== null) return value;
      // `project`/`region` default to the provider's at plan time, as the real provider does.
      if (path.length === 1 && name === 'project') return defaults.project;
      if (path.length === 1 && name === 'region' && attribute.optional)
        return defaults.region;
      return UNKNOWN;
    },
  );
  const attributes = schema.block.attributes || {};
  if (attributes.effective_labels && attributes.labels) {
    const effective = mergedLabels(planned.labels, defaults);
    planned = { ...planned, effective_labels: effective };
    if (attributes.terraform_labels) planned.terraform_labels = effective;
  }
  if (!creating && attributes.id && prior.id !== null) planned.id = prior.id;
  const requiresReplace = creating
    ? []
    : replacePaths(typeName, schema, prior, planned);
  return { planned, requiresReplace };
}

/** Identifier formats of the real provider (its import ids), by resource type. */
function resourceId(typeName, value, defaults) {
  const project = known(value.project) || defaults.project;
  const location =
    known(value.location) ||
    known(value.region) ||
    known(value.zone) ||
    defaults.region;
  const name =
    known(value.name) || `unnamed-${digest(JSON.stringify(value ?? {}), 8)}`;
  switch (typeName) {
    case 'google_project_service':
      return `${project}/${value.service}`;
    case 'google_compute_network':
      return `projects/${project}/global/networks/${name}`;
    case 'google_compute_subnetwork':
      return `projects/${project}/regions/${location}/subnetworks/${name}`;
    case 'google_compute_firewall':
      return `projects/${project}/global/firewalls/${name}`;
    case 'google_compute_router':
      return `projects/${project}/regions/${location}/routers/${name}`;
    case 'google_compute_router_nat':
      return `${project}/${location}/${lastSegment(value.router)}/${name}`;
    case 'google_compute_global_address':
      return `projects/${project}/global/addresses/${name}`;
    case 'google_container_cluster':
      return `projects/${project}/locations/${location}/clusters/${name}`;
    case 'google_container_node_pool':
      return `${project}/${location}/${lastSegment(value.cluster)}/${name}`;
    case 'google_storage_bucket':
      return name;
    case 'google_service_account':
      return `projects/${project}/serviceAccounts/${value.account_id}@${project}.iam.gserviceaccount.com`;
    case 'google_service_account_iam_member':
      return `${value.service_account_id}/${value.role}/${value.member}`;
    case 'google_storage_bucket_iam_member':
      return `b/${value.bucket}/${value.role}/${value.member}`;
    case 'google_project_iam_member':
      return `${project}/${value.role}/${value.member}`;
    case 'google_artifact_registry_repository':
      return `projects/${project}/locations/${location}/repositories/${value.repository_id}`;
    case 'google_cloudbuild_worker_pool':
      return `projects/${project}/locations/${location}/workerPools/${name}`;
    case 'google_filestore_instance':
      return `projects/${project}/locations/${location}/instances/${name}`;
    default:
      return `projects/${project}/${typeName.replace(/^google_/, '')}/${name}`;
  }
}

function selfLink(typeName, id) {
  if (typeName.startsWith('google_compute_'))
    return `https://www.googleapis.com/compute/v1/${id}`;
  if (typeName.startsWith('google_container_')) {
    return `https://container.googleapis.com/v1/${
      id.startsWith('projects/') ? id : `projects/${id}`
    }`;
  }
  if (typeName === 'google_storage_bucket') {
    return `https://www.googleapis.com/storage/v1/b/${id}`;
  }
  return `https://www.googleapis.com/${id}`;
}

/** A deterministic value for a computed string, from the attribute's name and its resource. */
function computedString(name, context) {
  const { typeName, value, defaults, id, path } = context;
  const project = known(value.project) || defaults.project;
  const location =
    known(value.location) || known(value.region) || defaults.region;
  switch (name) {
    case 'id':
      return id;
    case 'self_link':
      return selfLink(typeName, id);
    case 'project':
      return project;
    case 'region':
      return defaults.region;
    case 'zone':
      return defaults.zone;
    case 'location':
      return typeName === 'google_storage_bucket'
        ? location.toUpperCase()
        : location;
    case 'email':
      return `${value.account_id}@${project}.iam.gserviceaccount.com`;
    case 'member':
      return typeName === 'google_service_account'
        ? `serviceAccount:${value.account_id}@${project}.iam.gserviceaccount.com`
        : `fake-${digest(`${id}/${path.join('.')}`)}`;
    case 'unique_id':
    case 'number':
    case 'project_number':
      return digits(`${project}/${id}/${name}`, name === 'unique_id' ? 21 : 12);
    case 'name':
      return typeName === 'google_service_account' ||
        typeName.startsWith('google_artifact_')
        ? id
        : lastSegment(id) || id;
    case 'url':
      return typeName === 'google_storage_bucket'
        ? `gs://${value.name}`
        : `https://${digest(id)}.example.invalid`;
    case 'registry_uri':
      return `${location}-docker.pkg.dev/${project}/${value.repository_id}`;
    case 'endpoint':
      return `172.16.${parseInt(digest(id, 2), 16) % 250}.2`;
    case 'private_endpoint':
      return '172.16.0.2';
    case 'public_endpoint':
      return '';
    case 'master_version':
    case 'node_version':
    case 'version':
    case 'min_master_version':
      return FAKE_GKE_VERSION;
    case 'creation_timestamp':
    case 'create_time':
    case 'update_time':
    case 'time_created':
    case 'updated':
      return FIXED_TIMESTAMP;
    case 'gateway_ipv4':
      return '10.0.0.1';
    case 'workload_pool':
      return `${project}.svc.id.goog`;
    case 'datapath_provider':
      return 'LEGACY_DATAPATH';
    case 'operation':
    case 'etag':
    case 'fingerprint':
    case 'label_fingerprint':
      return digest(`${id}/${path.join('.')}`, 16);
    default:
      return '';
  }
}

/** Replaces every unknown inside a value of the given cty type. */
function fillType(type, value, name, context) {
  if (isUnknown(value)) {
    if (type === 'string') return computedString(name, context);
    if (type === 'number') return 0;
    if (type === 'bool') return false;
    if (type === 'dynamic') return null;
    const kind = type[0];
    if (kind === 'list' || kind === 'set' || kind === 'tuple') return [];
    if (kind === 'map') return {};
    if (kind === 'object') return fillType(type, {}, name, context);
    return null;
  }
  if (value === null || !Array.isArray(type)) return value;
  const [kind, element] = type;
  if (kind === 'list' || kind === 'set') {
    return value.map(item => fillType(element, item, name, context));
  }
  if (kind === 'map') {
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => [
        key,
        fillType(element, item, key, context),
      ]),
    );
  }
  if (kind === 'object') {
    return Object.fromEntries(
      Object.entries(element).map(([key, attributeType]) => [
        key,
        fillType(
          attributeType,
          value[key] === undefined ? null : value[key],
          key,
          context,
        ),
      ]),
    );
  }
  return value;
}

/** Computes the values a real apply would return: every unknown gets a deterministic value. */
function applyResourceChange({ typeName, schema, planned, defaults }) {
  if (planned === null) return null;
  const base = conformBlock(schema.block, planned);
  const idSource = Object.fromEntries(
    Object.entries(base).filter(([, value]) => !isUnknown(value)),
  );
  const id =
    isUnknown(base.id) || base.id === null || base.id === undefined
      ? resourceId(typeName, idSource, defaults)
      : base.id;
  const context = { typeName, value: idSource, defaults, id };
  return mapAttributes(schema.block, base, (attribute, value, path, name) =>
    fillType(attribute.type, value, name, { ...context, path }),
  );
}

/** Data sources: the few this project reads get realistic values, the rest deterministic fills. */
function readDataSource({ typeName, schema, config, defaults }) {
  const value = conformBlock(schema.block, config);
  const project = known(value.project) || defaults.project;
  const specific = {};
  switch (typeName) {
    case 'google_client_config':
      Object.assign(specific, {
        id: `projects/${defaults.project}/regions/${defaults.region}/zones/${defaults.zone}`,
        project: defaults.project,
        region: defaults.region,
        zone: defaults.zone,
        access_token: `fake-access-token-${digest(defaults.project, 8)}`,
        default_labels: defaults.defaultLabels,
      });
      break;
    case 'google_project': {
      const projectId = known(value.project_id) || defaults.project;
      Object.assign(specific, {
        id: `projects/${projectId}`,
        project_id: projectId,
        name: projectId,
        number: digits(projectId, 12),
      });
      break;
    }
    case 'google_container_engine_versions':
      Object.assign(specific, {
        id: `projects/${project}/locations/${
          known(value.location) || defaults.region
        }`,
        latest_master_version: FAKE_GKE_VERSION,
        latest_node_version: FAKE_GKE_VERSION,
        default_cluster_version: FAKE_GKE_VERSION,
        valid_master_versions: [FAKE_GKE_VERSION],
        valid_node_versions: [FAKE_GKE_VERSION],
        release_channel_default_version: {
          RAPID: FAKE_GKE_VERSION,
          REGULAR: FAKE_GKE_VERSION,
          STABLE: FAKE_GKE_VERSION,
        },
        release_channel_latest_version: {
          RAPID: FAKE_GKE_VERSION,
          REGULAR: FAKE_GKE_VERSION,
          STABLE: FAKE_GKE_VERSION,
        },
      });
      break;
    case 'google_compute_zones': {
      const region = known(value.region) || defaults.region;
      Object.assign(specific, {
        id: `projects/${project}/regions/${region}`,
        names: ['a', 'b', 'c', 'f'].map(suffix => `${region}-${suffix}`),
      });
      break;
    }
    default:
      break;
  }
  const id =
    specific.id ||
    `projects/${project}/${typeName.replace(/^google_/, '')}/${digest(
      JSON.stringify(config ?? {}),
      8,
    )}`;
  const context = { typeName, value, defaults, id };
  const attributes = schema.block.attributes || {};
  const result = { ...value };
  for (const [name, attribute] of Object.entries(attributes)) {
    if (value[name] !== null || !attribute.computed) continue;
    result[name] =
      specific[name] !== undefined
        ? specific[name]
        : fillType(attribute.type, UNKNOWN, name, { ...context, path: [name] });
  }
  return result;
}

module.exports = {
  providerDefaults,
  planResourceChange,
  applyResourceChange,
  readDataSource,
  resourceId,
};
