/**
 * Seed 004 parity: the provisioning tool's `env.list` keys (and seed 001's shell variables) mapped
 * onto the stack spec. Keys that have no meaning on GKE produce a warning that says why.
 */

/** Parses a docker `--env-file` (KEY=VALUE lines, `#` comments, no quote processing). @public */
export function parseEnvFile(text: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const eq = line.indexOf('=');
    if (eq <= 0) continue;
    env[line.slice(0, eq).trim()] = line.slice(eq + 1).trim();
  }
  return env;
}

/** @public */
export interface EnvMappingResult {
  /** Partial spec input (merged over a values file). */
  input: Record<string, any>;
  warnings: string[];
  errors: string[];
}

const IGNORED: Record<string, string> = {
  IMAGE_FAMILY_NAME:
    'GKE nodes run Container-Optimized OS; set ray.image for the workload image',
  IMAGE_NAME:
    'GKE nodes run Container-Optimized OS; set ray.image for the workload image',
  VM_LOCALFILE_DEST_PATH:
    'files reach pods through the GCS FUSE mounts (GCS_MOUNT_LIST / storage.trainingBucket)',
  METADATA: 'VM metadata is managed by GKE',
  STARTUP_COMMAND:
    'submit work as a Ray job or a Kueue-queued Job instead of a VM startup command',
  SHOW_PROXY_URL:
    'there is no Jupyter proxy; the Ray dashboard exposure is ray.dashboard.exposure',
  MINIMIZE_TERRAFORM_LOGGING:
    'terraform output is always streamed and secrets are redacted',
  NETWORK_CONFIG:
    'the stack always creates its own VPCs (primary, gVNIC and, for RDMA machines, the RoCE VPC)',
  DISABLE_OPS_AGENT:
    'GKE uses Cloud Logging/Monitoring components (cluster.logging / cluster.monitoring)',
  GVNIC_NETWORK_PREFIX: 'network names derive from NAME_PREFIX',
  RDMA_NETWORK_PREFIX: 'network names derive from NAME_PREFIX',
  COMPUTE_REGION: 'the region derives from ZONE / REGION',
  WORKLOAD_IDENTITY: 'the workload pool is always <project>.svc.id.goog',
  NUM_NODES: 'DWS pools start empty; use GKE_MIN_NODE_COUNT for other modes',
};

function setPath(
  target: Record<string, any>,
  path: Array<string | number>,
  value: unknown,
) {
  let node: any = target;
  path.slice(0, -1).forEach((key, i) => {
    node[key] ??= typeof path[i + 1] === 'number' ? [] : {};
    node = node[key];
  });
  node[path[path.length - 1]] = value;
}

/** Maps env-file keys to a spec input. @public */
export function envToSpecInput(env: Record<string, string>): EnvMappingResult {
  const input: Record<string, any> = {};
  const warnings: string[] = [];
  const errors: string[] = [];
  const pool = (field: string | string[], value: unknown) =>
    setPath(
      input,
      ['nodePools', 0, ...(Array.isArray(field) ? field : [field])],
      value,
    );
  const int = (key: string, value: string): number | undefined => {
    if (!/^\d+$/.test(value)) {
      errors.push(`${key} must be a whole number, got "${value}"`);
      return undefined;
    }
    return Number(value);
  };

  for (const [key, value] of Object.entries(env)) {
    if (value === '') continue;
    switch (key) {
      case 'PROJECT_ID':
      case 'PROJECT':
        setPath(input, ['identity', 'projectId'], value);
        break;
      case 'NAME_PREFIX':
        setPath(input, ['identity', 'namePrefix'], value);
        break;
      case 'OWNER':
        setPath(input, ['identity', 'owner'], value);
        break;
      case 'ZONE': {
        setPath(input, ['identity', 'zones'], [value]);
        const region = value.replace(/-[a-z]$/, '');
        if (!env.REGION) setPath(input, ['identity', 'region'], region);
        break;
      }
      case 'REGION':
        setPath(input, ['identity', 'region'], value);
        break;
      case 'CLUSTER_NAME':
        setPath(input, ['cluster', 'name'], value);
        break;
      case 'GKE_VERSION':
        setPath(input, ['cluster', 'version'], value);
        break;
      case 'TF_VAR_client_ip':
        setPath(
          input,
          ['cluster', 'authorizedNetworks'],
          [
            {
              cidrBlock: value.includes('/') ? value : `${value}/32`,
              displayName: 'client',
            },
          ],
        );
        break;
      case 'INSTANCE_COUNT':
      case 'TOTAL_MAX_NODES':
      case 'GKE_MAX_NODE_COUNT': {
        const n = int(key, value);
        if (
          n !== undefined &&
          !(
            key === 'INSTANCE_COUNT' &&
            (env.GKE_MAX_NODE_COUNT || env.TOTAL_MAX_NODES)
          )
        )
          pool('maxNodes', n);
        break;
      }
      case 'GKE_MIN_NODE_COUNT': {
        const n = int(key, value);
        if (n !== undefined) pool('minNodes', n);
        break;
      }
      case 'GPU_COUNT':
      case 'AMOUNT': {
        const n = int(key, value);
        if (n !== undefined) pool(['gpu', 'count'], n);
        break;
      }
      case 'VM_TYPE':
      case 'MACHINE_TYPE':
        pool('machineType', value);
        break;
      case 'ACCELERATOR_TYPE':
      case 'GPU_TYPE':
        pool(['gpu', 'type'], value);
        break;
      case 'NODEPOOL_NAME':
        pool('name', value);
        break;
      case 'DRIVER_VERSION':
        pool(['gpu', 'driverVersion'], value.toUpperCase());
        break;
      case 'DISK_SIZE_GB': {
        const n = int(key, value);
        if (n !== undefined) pool(['disk', 'sizeGb'], n);
        break;
      }
      case 'DISK_TYPE':
        pool(['disk', 'type'], value);
        break;
      case 'PROVISIONING_MODE':
        pool(['provisioning', 'mode'], value);
        break;
      case 'TERRAFORM_GCS_PATH': {
        const match = /^gs:\/\/([^/]+)(?:\/(.*?))?\/?$/.exec(value);
        if (!match) {
          errors.push(
            `TERRAFORM_GCS_PATH must look like gs://bucket/folder, got "${value}"`,
          );
          break;
        }
        setPath(input, ['terraformState', 'bucket'], match[1]);
        if (match[2])
          setPath(
            input,
            ['terraformState', 'prefix'],
            `${match[2]}/terraform/state`,
          );
        break;
      }
      case 'LABELS': {
        const labels: Record<string, string> = {};
        const body = value.trim().replace(/^\{/, '').replace(/\}$/, '');
        for (const part of body
          .split(',')
          .map(p => p.trim())
          .filter(Boolean)) {
          const m = /^([^=\s]+)\s*=\s*"?([^"]*)"?$/.exec(part);
          if (!m)
            errors.push(`LABELS entry "${part}" must look like key = "value"`);
          else labels[m[1]] = m[2];
        }
        setPath(input, ['identity', 'labels'], labels);
        break;
      }
      case 'ORCHESTRATOR_TYPE':
        if (value === 'ray') setPath(input, ['ray', 'enabled'], true);
        else if (value === 'gke') setPath(input, ['ray', 'enabled'], false);
        else
          errors.push(`ORCHESTRATOR_TYPE must be ray or gke, got "${value}"`);
        break;
      case 'GKE_NODE_POOL_COUNT': {
        const n = int(key, value);
        if (n !== undefined) setPath(input, ['__poolCount'], n);
        break;
      }
      case 'GCS_MOUNT_LIST':
        setPath(
          input,
          ['storage', 'gcsMounts'],
          value
            .split(',')
            .filter(Boolean)
            .map(entry => {
              const i = entry.indexOf(':');
              return i < 0
                ? { bucket: entry, mountPath: '' }
                : {
                    bucket: entry.slice(0, i),
                    mountPath: entry.slice(i + 1),
                    readOnly: false,
                  };
            }),
        );
        break;
      case 'NFS_FILESHARE_LIST':
        setPath(
          input,
          ['storage', 'filestore'],
          value
            .split(',')
            .filter(Boolean)
            .map(entry => {
              const [mountPath, tier, size] = entry.split(':');
              return {
                mountPath,
                tier,
                ...(size ? { capacityGb: Number(size) } : {}),
              };
            }),
        );
        break;
      default:
        if (IGNORED[key]) warnings.push(`${key} is ignored: ${IGNORED[key]}`);
        else warnings.push(`${key} is not a known setting and is ignored`);
    }
  }

  // GKE_NODE_POOL_COUNT: homogeneous copies of the first pool.
  const count = input.__poolCount as number | undefined;
  delete input.__poolCount;
  if (count !== undefined && count > 1) {
    const first = input.nodePools?.[0] ?? {};
    const base = first.name ?? 'gpu-pool';
    input.nodePools = Array.from({ length: count }, (_, i) => ({
      ...first,
      name: `${base}-${i}`,
    }));
  }
  return { input, warnings, errors };
}
