/**
 * Seed 004 parity: the provisioning tool's `env.list` keys (and seed 001's shell variables) mapped
 * onto the stack spec. Keys that have no meaning on GKE produce a warning that says why; keys that
 * look like ours but are not are refused with a suggestion; problems name the env key.
 */
import {
  FILESTORE_TIERS,
  formatIssuePath,
  suggestName,
  type SpecIssue,
} from '@gpu-platform/backstage-plugin-gpu-cluster-common';

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

/** Which spec field an env key set (for messages that name the key). @public */
export interface EnvKeySource {
  key: string;
  value: string;
  /** Spec path the key wrote, e.g. `nodePools[0].minNodes` or `storage.filestore`. */
  path: string;
}

/** @public */
export interface EnvMappingResult {
  /** Partial spec input (merged over a values file). */
  input: Record<string, any>;
  warnings: string[];
  errors: string[];
  sources: EnvKeySource[];
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

/** Every key this tool reads (handled or deliberately ignored). */
const HANDLED_KEYS = [
  'PROJECT_ID',
  'PROJECT',
  'NAME_PREFIX',
  'OWNER',
  'ZONE',
  'REGION',
  'CLUSTER_NAME',
  'GKE_VERSION',
  'TF_VAR_client_ip',
  'INSTANCE_COUNT',
  'TOTAL_MAX_NODES',
  'GKE_MAX_NODE_COUNT',
  'GKE_MIN_NODE_COUNT',
  'GPU_COUNT',
  'AMOUNT',
  'VM_TYPE',
  'MACHINE_TYPE',
  'ACCELERATOR_TYPE',
  'GPU_TYPE',
  'NODEPOOL_NAME',
  'DRIVER_VERSION',
  'DISK_SIZE_GB',
  'DISK_TYPE',
  'PROVISIONING_MODE',
  'TERRAFORM_GCS_PATH',
  'LABELS',
  'ORCHESTRATOR_TYPE',
  'GKE_NODE_POOL_COUNT',
  'GCS_MOUNT_LIST',
  'NFS_FILESHARE_LIST',
];
const KNOWN_KEYS = [...HANDLED_KEYS, ...Object.keys(IGNORED)];

/** Prefixes of the seed 004 / seed 001 vocabulary: such keys are meant for us. */
const OUR_KEY_PATTERN =
  /^(?:GKE|GPU|NFS|GCS|TERRAFORM|ORCHESTRATOR|VM|DISK|NODEPOOL|NODE|INSTANCE|ACCELERATOR|PROVISIONING|RAY|KUEUE|RDMA|GVNIC|NAME|PROJECT|ZONE|REGION|CLUSTER|LABEL|OWNER|DRIVER)_?/;

/** The known key a mistyped one most likely means (edit distance, then a long common prefix). */
function suggestKey(key: string): string | undefined {
  const close = suggestName(key, KNOWN_KEYS);
  if (close) return close;
  const fold = (k: string) => k.toLowerCase().replace(/[-_]/g, '');
  const folded = fold(key);
  let best: { key: string; prefix: number } | undefined;
  for (const known of KNOWN_KEYS) {
    const other = fold(known);
    let prefix = 0;
    while (
      prefix < folded.length &&
      prefix < other.length &&
      folded[prefix] === other[prefix]
    )
      prefix += 1;
    if (!best || prefix > best.prefix) best = { key: known, prefix };
  }
  return best && best.prefix >= 7 ? best.key : undefined;
}

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
  const sources: EnvKeySource[] = [];
  let current: { key: string; value: string } = { key: '', value: '' };
  const set = (path: Array<string | number>, value: unknown) => {
    setPath(input, path, value);
    sources.push({ ...current, path: formatIssuePath(path) });
  };
  const pool = (field: string | string[], value: unknown) =>
    set(['nodePools', 0, ...(Array.isArray(field) ? field : [field])], value);
  const int = (key: string, value: string): number | undefined => {
    if (!/^\d+$/.test(value)) {
      errors.push(`${key} must be a whole number, got "${value}"`);
      return undefined;
    }
    return Number(value);
  };

  for (const [key, value] of Object.entries(env)) {
    if (value === '') continue;
    current = { key, value };
    switch (key) {
      case 'PROJECT_ID':
      case 'PROJECT':
        set(['identity', 'projectId'], value);
        break;
      case 'NAME_PREFIX':
        set(['identity', 'namePrefix'], value);
        break;
      case 'OWNER':
        set(['identity', 'owner'], value);
        break;
      case 'ZONE': {
        set(['identity', 'zones'], [value]);
        const region = value.replace(/-[a-z]$/, '');
        if (!env.REGION) set(['identity', 'region'], region);
        break;
      }
      case 'REGION':
        set(['identity', 'region'], value);
        break;
      case 'CLUSTER_NAME':
        set(['cluster', 'name'], value);
        break;
      case 'GKE_VERSION':
        set(['cluster', 'version'], value);
        break;
      case 'TF_VAR_client_ip':
        set(
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
      // Names GCP spells in lowercase: accept any case, as seed 004's examples vary.
      case 'VM_TYPE':
      case 'MACHINE_TYPE':
        pool('machineType', value.toLowerCase());
        break;
      case 'ACCELERATOR_TYPE':
      case 'GPU_TYPE':
        pool(['gpu', 'type'], value.toLowerCase());
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
        pool(['disk', 'type'], value.toLowerCase());
        break;
      case 'PROVISIONING_MODE':
        pool(['provisioning', 'mode'], value.toLowerCase());
        break;
      case 'TERRAFORM_GCS_PATH': {
        const match = /^gs:\/\/([^/]+)(?:\/(.*?))?\/?$/.exec(value);
        if (!match) {
          errors.push(
            `TERRAFORM_GCS_PATH must look like gs://bucket/folder, got "${value}"`,
          );
          break;
        }
        set(['terraformState', 'bucket'], match[1]);
        if (match[2])
          set(['terraformState', 'prefix'], `${match[2]}/terraform/state`);
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
        set(['identity', 'labels'], labels);
        break;
      }
      case 'ORCHESTRATOR_TYPE': {
        // Seed 004 writes both `ray` and `Ray`.
        const orchestrator = value.toLowerCase();
        if (orchestrator === 'ray') set(['ray', 'enabled'], true);
        else if (orchestrator === 'gke') set(['ray', 'enabled'], false);
        else
          errors.push(
            `ORCHESTRATOR_TYPE must be ray (a KubeRay cluster on the GKE cluster) or gke (no Ray), got "${value}"`,
          );
        break;
      }
      case 'GKE_NODE_POOL_COUNT': {
        const n = int(key, value);
        if (n !== undefined) {
          input.__poolCount = n;
          sources.push({ ...current, path: 'nodePools' });
        }
        break;
      }
      case 'GCS_MOUNT_LIST':
        set(
          ['storage', 'gcsMounts'],
          value
            .split(',')
            .filter(Boolean)
            .map(entry => {
              const i = entry.indexOf(':');
              if (i < 0)
                errors.push(
                  `GCS_MOUNT_LIST entry "${entry}" needs a mount path: write ${entry}:/mnt/${entry}`,
                );
              return i < 0
                ? { bucket: entry, mountPath: `/mnt/${entry}`, readOnly: false }
                : {
                    bucket: entry.slice(0, i),
                    mountPath: entry.slice(i + 1),
                    readOnly: false,
                  };
            }),
        );
        break;
      case 'NFS_FILESHARE_LIST':
        set(
          ['storage', 'filestore'],
          value
            .split(',')
            .filter(Boolean)
            .map(entry => {
              const [mountPath, tier, size] = entry.split(':');
              return {
                mountPath,
                tier: tier?.toUpperCase(),
                ...(size ? { capacityGb: Number(size) } : {}),
              };
            }),
        );
        break;
      default: {
        if (IGNORED[key]) {
          warnings.push(`${key} is ignored: ${IGNORED[key]}`);
          break;
        }
        // A key that looks like ours but is not is a typo until proven otherwise: it must not
        // silently fall back to a default (a GPU pool of the wrong size, say).
        const suggestion = suggestKey(key);
        if (suggestion)
          errors.push(
            `${key} is not a setting of this tool; did you mean ${suggestion}?`,
          );
        else if (OUR_KEY_PATTERN.test(key))
          errors.push(
            `${key} is not a setting of this tool (the env keys are listed in the gpu-cluster README)`,
          );
        else warnings.push(`${key} is not a known setting and is ignored`);
      }
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
  return { input, warnings, errors, sources };
}

/** Env keys the spec requires, with what to write there. */
const REQUIRED_KEYS: Record<string, { key: string; hint: string }> = {
  'identity.projectId': {
    key: 'PROJECT_ID',
    hint: 'add PROJECT_ID=<your GCP project id> to the env file',
  },
  'identity.namePrefix': {
    key: 'NAME_PREFIX',
    hint: 'add NAME_PREFIX=<a short lowercase name, unique per cluster> to the env file',
  },
  'identity.owner': {
    key: 'OWNER',
    hint: 'add OWNER=group:default/<your team> (the Backstage group that owns the cluster) to the env file, or pass --owner group:default/<your team>',
  },
};

/**
 * Rewrites a spec problem in the terms of the env file that caused it: the env key and value,
 * and what to write instead. Problems of fields no env key set keep their spec path.
 * @public
 */
export function explainEnvIssue(
  issue: SpecIssue,
  mapping: Pick<EnvMappingResult, 'sources'>,
): string {
  const required = REQUIRED_KEYS[issue.path];
  if (required && /^required/.test(issue.message)) {
    return `${required.key} is not set: ${required.hint}`;
  }
  const source = mapping.sources
    .filter(
      s =>
        issue.path === s.path ||
        issue.path.startsWith(`${s.path}.`) ||
        issue.path.startsWith(`${s.path}[`),
    )
    .sort((a, b) => b.path.length - a.path.length)[0];
  if (!source) return `${issue.path || '(root)'}: ${issue.message}`;
  const at = `${source.key}=${source.value}`;
  if (
    source.key === 'GKE_MIN_NODE_COUNT' &&
    /queued provisioning/.test(issue.message)
  ) {
    return `${at}: the default PROVISIONING_MODE, queued-provisioning (DWS), starts every pool empty and adds nodes per job; remove GKE_MIN_NODE_COUNT, or set PROVISIONING_MODE=flex-start, spot, on-demand or reservation to keep warm nodes`;
  }
  const filestore = /^storage\.filestore\[(\d+)\]\.capacityGb$/.exec(
    issue.path,
  );
  if (source.key === 'NFS_FILESHARE_LIST' && filestore) {
    const index = Number(filestore[1]);
    const entry = source.value.split(',').filter(Boolean)[index] ?? '';
    const [mountPath, tier = '', size] = entry.split(':');
    const minimum =
      FILESTORE_TIERS[tier.toUpperCase() as keyof typeof FILESTORE_TIERS];
    return `NFS_FILESHARE_LIST entry ${index + 1} (${entry}): ${
      size
        ? `${tier.toUpperCase()} shares start at ${minimum} GB`
        : `${tier.toUpperCase()} shares start at ${minimum} GB and no size was given (the default is 2560 GB)`
    }; write ${mountPath}:${tier.toUpperCase()}:${minimum}`;
  }
  return `${at}: ${issue.message} (${issue.path})`;
}
