import {
  resolveNodePools,
  stackGpuQuota,
  stackNames,
  type GpuStackSpec,
} from '@gpu-platform/backstage-plugin-gpu-cluster-common';
import type { Storage } from '@google-cloud/storage';
import type { ClusterManagerClient } from '@google-cloud/container';
import { createClusterManagerClient, type GkeEndpointOverride } from '../gke';
import {
  createStorageClient,
  storageEmulatorEndpoint,
} from '../terraform/stateBucket';
import {
  createPreflightClients,
  type GoogleApisEndpoint,
  type PreflightAuthClient,
  type PreflightClients,
} from './clients';
import { STACK_SERVICES, requiredPermissions } from './requirements';

/** @public */
export type PreflightStatus = 'ok' | 'warn' | 'fail';

/**
 * One answer of preflight: `field` is the spec field to change (`identity.zones[1]`,
 * `nodePools[0].maxNodes`), `link` where to fix it outside the form (quota, IAM, APIs).
 * @public
 */
export interface PreflightCheck {
  id: string;
  status: PreflightStatus;
  message: string;
  field?: string;
  link?: string;
}

/** @public */
export interface PreflightReport {
  projectId: string;
  region: string;
  checks: PreflightCheck[];
  /** No check failed. */
  ok: boolean;
  /** APIs the run would enable (the Terraform services module), disabled now. */
  servicesToEnable: string[];
}

/** @public */
export interface PreflightOptions {
  spec: GpuStackSpec;
  /** Compute / Service Usage / Resource Manager override (emulator); Google's when unset. */
  googleApis?: GoogleApisEndpoint;
  /** GKE ClusterManager override (emulator); Google's when unset. */
  gke?: GkeEndpointOverride;
  /**
   * Where the Terraform state goes: `gcs` (the bucket is checked and may be created by the run)
   * or `local` (no bucket).
   */
  stateBackend: 'gcs' | 'local';
  /** Environment naming the Cloud Storage emulator (`STORAGE_EMULATOR_HOST`), as Terraform's. */
  storageEnv?: Record<string, string | undefined>;
  /** Default: Application Default Credentials. */
  authClient?: PreflightAuthClient;
  /** Injected clients (tests); created from the options above otherwise. */
  clients?: PreflightClients;
  clusterManager?: ClusterManagerClient;
  storage?: Storage;
}

/** Where a project's quotas are raised. @public */
export const quotaConsoleUrl = (projectId: string) =>
  `https://console.cloud.google.com/iam-admin/quotas?project=${encodeURIComponent(
    projectId,
  )}`;
const iamConsoleUrl = (projectId: string) =>
  `https://console.cloud.google.com/iam-admin/iam?project=${encodeURIComponent(
    projectId,
  )}`;
const apisConsoleUrl = (projectId: string) =>
  `https://console.cloud.google.com/apis/dashboard?project=${encodeURIComponent(
    projectId,
  )}`;

interface ErrorFacts {
  /** gRPC code (5 not found, 7 permission denied) or the HTTP status the REST client kept. */
  notFound: boolean;
  denied: boolean;
  text: string;
}

/** Reads a client error: google-gax gives gRPC codes, or the HTTP status (gax 5 over REST). */
function errorFacts(error: unknown): ErrorFacts {
  const e = error as {
    code?: number | string;
    status?: number;
    response?: { status?: number };
    message?: string;
  };
  const code = Number(e?.code ?? e?.status ?? e?.response?.status);
  const text = String(e?.message ?? error)
    .split('\n')[0]
    .replace(/^\d+ [A-Z_]+: /, '');
  return {
    notFound: code === 5 || code === 404,
    denied: code === 7 || code === 403,
    text,
  };
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/**
 * Answers, before anything is created, what makes GPU provisioning fail late: machine types
 * offered in each zone, GPU quota for the provisioning mode, APIs enabled, the runner's
 * permissions, the pinned GKE version, the state bucket. Every check runs; a failure of one does
 * not hide the others.
 *
 * @public
 */
export async function runPreflight(
  options: PreflightOptions,
): Promise<PreflightReport> {
  const { spec } = options;
  const projectId = spec.identity.projectId;
  const region = spec.identity.region;
  const clients =
    options.clients ??
    createPreflightClients(options.googleApis, options.authClient);
  // GKE is asked only about a pinned version.
  const clusterManager = spec.cluster.version
    ? options.clusterManager ?? createClusterManagerClient(options.gke)
    : undefined;
  const storage =
    options.storage ??
    createStorageClient({
      projectId,
      apiEndpoint: storageEmulatorEndpoint(options.storageEnv ?? {}),
    });
  try {
    const [machineTypes, quota, services, gkeVersion, bucket] =
      await Promise.all([
        checkMachineTypes(spec, clients),
        checkGpuQuota(spec, clients),
        checkServices(spec, clients),
        checkGkeVersion(spec, clusterManager),
        checkStateBucket(spec, storage, options.stateBackend),
      ]);
    const permissions = await checkPermissions(
      spec,
      clients,
      options.stateBackend === 'gcs' && bucket.mayBeCreated,
    );
    const checks = [
      ...machineTypes,
      ...quota,
      ...services.checks,
      ...permissions,
      ...gkeVersion,
      ...bucket.checks,
    ];
    return {
      projectId,
      region,
      checks,
      ok: checks.every(c => c.status !== 'fail'),
      servicesToEnable: services.toEnable,
    };
  } finally {
    if (!options.clients) await clients.close();
    if (clusterManager && !options.clusterManager) await clusterManager.close();
  }
}

/** Each machine type of the stack (GPU pools and the system pool) in each of its zones. */
async function checkMachineTypes(
  spec: GpuStackSpec,
  clients: PreflightClients,
): Promise<PreflightCheck[]> {
  const projectId = spec.identity.projectId;
  const checks: PreflightCheck[] = [];
  const offered = new Map<string, Map<string, number> | undefined>();
  // One list per zone (machineTypes.list): the names and GPUs of everything the zone offers.
  await Promise.all(
    spec.identity.zones.map(async (zone, zoneIndex) => {
      try {
        const [items] = await clients.machineTypes.list({
          project: projectId,
          zone,
        });
        offered.set(
          zone,
          new Map(
            items.map(m => [
              m.name ?? '',
              m.accelerators?.[0]?.guestAcceleratorCount ?? 0,
            ]),
          ),
        );
      } catch (error) {
        const facts = errorFacts(error);
        offered.set(zone, undefined);
        checks.push({
          id: `zone:${zone}`,
          status: 'fail',
          message: facts.notFound
            ? `Zone ${zone} does not exist for project ${projectId}: ${facts.text}`
            : `Cannot list the machine types of ${zone} in ${projectId}: ${facts.text}`,
          field:
            facts.notFound && /zones\//.test(facts.text)
              ? `identity.zones[${zoneIndex}]`
              : 'identity.projectId',
        });
      }
    }),
  );
  const wanted = [
    ...resolveNodePools(spec).map(pool => ({
      machineType: pool.machineType,
      gpus: pool.gpuCount,
      label: `node pool ${pool.name}`,
      field: `nodePools[${pool.specIndex}].machineType`,
      zones: pool.zones,
    })),
    {
      machineType: spec.cluster.systemNodePool.machineType,
      gpus: 0,
      label: 'the system node pool',
      field: 'cluster.systemNodePool.machineType',
      zones: spec.identity.zones,
    },
  ];
  const seen = new Set<string>();
  for (const want of wanted) {
    if (seen.has(want.machineType)) continue;
    seen.add(want.machineType);
    const missing = want.zones.filter(zone => {
      const types = offered.get(zone);
      return types !== undefined && !types.has(want.machineType);
    });
    const checked = want.zones.filter(zone => offered.get(zone));
    if (checked.length === 0) continue;
    if (missing.length) {
      const elsewhere = checked.filter(z => !missing.includes(z));
      checks.push({
        id: `machine-type:${want.machineType}`,
        status: 'fail',
        message: `${want.machineType} (${
          want.label
        }) is not offered in ${missing.join(', ')}${
          elsewhere.length ? `; it is in ${elsewhere.join(', ')}` : ''
        }: choose zones that offer it (https://cloud.google.com/compute/docs/gpus/gpu-regions-zones)`,
        field:
          missing.length === want.zones.length
            ? want.field
            : `identity.zones[${spec.identity.zones.indexOf(missing[0])}]`,
        link: 'https://cloud.google.com/compute/docs/gpus/gpu-regions-zones',
      });
      continue;
    }
    const gpuCounts = checked.map(z => offered.get(z)!.get(want.machineType));
    // Built-in GPUs must match; N1 reports none (its GPUs are attached, not part of the type).
    if (want.gpus > 0 && gpuCounts.some(n => n !== 0 && n !== want.gpus)) {
      checks.push({
        id: `machine-type:${want.machineType}`,
        status: 'fail',
        message: `${want.machineType} carries ${gpuCounts[0]} GPUs, but ${want.label} expects ${want.gpus}`,
        field: want.field,
      });
      continue;
    }
    checks.push({
      id: `machine-type:${want.machineType}`,
      status: 'ok',
      message: `${want.machineType} (${want.label}${
        want.gpus ? `, ${plural(want.gpus, 'GPU')} per node` : ''
      }) is offered in ${checked.join(', ')}`,
    });
  }
  return checks;
}

/**
 * GPU quota in the region for the metric each pool draws from: on-demand pools the standard
 * metric, Spot and DWS flex-start / queued provisioning the preemptible one
 * (`PREEMPTIBLE_NVIDIA_…`; https://cloud.google.com/compute/resource-usage#gpu_quota, "Obtain
 * capacity" https://cloud.google.com/ai-hypercomputer/docs/obtain-capacity), reservations what
 * the reservation holds. Less than one node's GPUs left fails; less than the pools' maximum warns.
 */
async function checkGpuQuota(
  spec: GpuStackSpec,
  clients: PreflightClients,
): Promise<PreflightCheck[]> {
  const projectId = spec.identity.projectId;
  const region = spec.identity.region;
  const link = quotaConsoleUrl(projectId);
  let quotas: Array<{
    metric?: string | null;
    limit?: number | null;
    usage?: number | null;
  }>;
  try {
    const [answer] = await clients.regions.get({ project: projectId, region });
    quotas = answer.quotas ?? [];
  } catch (error) {
    const facts = errorFacts(error);
    return [
      {
        id: 'quota',
        status: 'fail',
        message: `Cannot read the Compute Engine quotas of ${region} in ${projectId}: ${facts.text}`,
        field:
          facts.notFound && /regions\//.test(facts.text)
            ? 'identity.region'
            : 'identity.projectId',
        link,
      },
    ];
  }
  const pools = resolveNodePools(spec);
  return stackGpuQuota(spec).map((need): PreflightCheck => {
    const id = `quota:${need.metric}`;
    const needPools = pools.filter(p => need.nodePools.includes(p.name));
    const first = needPools[0];
    const field = `nodePools[${first?.specIndex ?? 0}].maxNodes`;
    if (need.pool === 'reservation')
      return {
        id: `quota:${need.metric}:reservation`,
        status: 'ok',
        message: `${need.nodePools.join(
          ', ',
        )} consume a reservation: it holds their ${need.metric} quota`,
      };
    const quota = quotas.find(q => q.metric === need.metric);
    if (!quota)
      return {
        id,
        status: 'fail',
        message: `${region} of ${projectId} has no ${
          need.metric
        } quota; the stack needs up to ${need.gpus} (${need.nodePools.join(
          ', ',
        )}): request it at ${link}`,
        field,
        link,
      };
    const available = Math.max(0, (quota.limit ?? 0) - (quota.usage ?? 0));
    const perNode = Math.max(...needPools.map(p => p.gpuCount), 0);
    const facts = `quota ${need.metric} in ${region} is ${
      quota.limit ?? 0
    } with ${quota.usage ?? 0} in use (${available} left)`;
    if (available < perNode)
      return {
        id,
        status: 'fail',
        message: `Not enough GPU quota: ${facts}, but one node of ${first?.name} needs ${perNode} (${need.pool} pool). Raise ${need.metric} in ${region} at ${link}, or change the provisioning mode or region`,
        field,
        link,
      };
    if (available < need.gpus)
      return {
        id,
        status: 'warn',
        message: `${facts}: the ${need.nodePools.join(', ')} pool${
          need.nodePools.length > 1 ? 's' : ''
        } can grow to ${Math.floor(
          available / Math.max(perNode, 1),
        )} of the nodes that need ${
          need.gpus
        } GPUs at maximum size; raise it at ${link}`,
        field,
        link,
      };
    return {
      id,
      status: 'ok',
      message: `${facts}; the stack needs at most ${need.gpus}`,
    };
  });
}

/** The APIs the module enables: those disabled now are what the run would enable. */
async function checkServices(
  spec: GpuStackSpec,
  clients: PreflightClients,
): Promise<{ checks: PreflightCheck[]; toEnable: string[] }> {
  const projectId = spec.identity.projectId;
  try {
    const [answer] = await clients.serviceUsage.batchGetServices({
      parent: `projects/${projectId}`,
      names: STACK_SERVICES.map(s => `projects/${projectId}/services/${s}`),
    });
    const disabled = (answer.services ?? [])
      .filter(s => String(s.state) !== 'ENABLED' && s.state !== 2)
      .map(s => s.config?.name ?? s.name?.split('/').pop() ?? '');
    if (disabled.length === 0)
      return {
        toEnable: [],
        checks: [
          {
            id: 'apis',
            status: 'ok',
            message: `All ${STACK_SERVICES.length} APIs the stack uses are enabled in ${projectId}`,
          },
        ],
      };
    return {
      toEnable: disabled,
      checks: [
        {
          id: 'apis',
          status: 'warn',
          message: `The run will enable ${disabled.join(
            ', ',
          )} in ${projectId} (the runner needs serviceusage.services.enable; enabling takes a few minutes)`,
          link: apisConsoleUrl(projectId),
        },
      ],
    };
  } catch (error) {
    const facts = errorFacts(error);
    return {
      toEnable: [],
      checks: [
        {
          id: 'apis',
          status: facts.denied ? 'fail' : 'warn',
          message: `Cannot read the enabled APIs of ${projectId}: ${facts.text}`,
          field: 'identity.projectId',
          link: apisConsoleUrl(projectId),
        },
      ],
    };
  }
}

/** testIamPermissions on the project with what this stack needs. */
async function checkPermissions(
  spec: GpuStackSpec,
  clients: PreflightClients,
  stateBucketMayBeCreated: boolean,
): Promise<PreflightCheck[]> {
  const projectId = spec.identity.projectId;
  const required = requiredPermissions(spec, { stateBucketMayBeCreated });
  const link = iamConsoleUrl(projectId);
  try {
    const [answer] = await clients.projects.testIamPermissions({
      resource: `projects/${projectId}`,
      permissions: required.map(p => p.permission),
    });
    const held = new Set(answer.permissions ?? []);
    const missing = required.filter(p => !held.has(p.permission));
    if (missing.length === 0)
      return [
        {
          id: 'permissions',
          status: 'ok',
          message: `The runner holds the ${required.length} permissions the run needs in ${projectId}`,
        },
      ];
    return [
      {
        id: 'permissions',
        status: 'fail',
        message: `The runner's identity lacks ${missing
          .map(p => `${p.permission} (${p.reason})`)
          .join(
            ', ',
          )} in ${projectId}: grant them (e.g. through a role) at ${link}`,
        field: 'identity.projectId',
        link,
      },
    ];
  } catch (error) {
    const facts = errorFacts(error);
    return [
      {
        id: 'permissions',
        status: 'fail',
        message: facts.denied
          ? `Project ${projectId} does not exist or the runner's identity may not see it (${facts.text})`
          : `Cannot test the runner's permissions in ${projectId}: ${facts.text}`,
        field: 'identity.projectId',
        link,
      },
    ];
  }
}

/** A pinned `cluster.version` must be one GKE offers (for the channel, when there is one). */
async function checkGkeVersion(
  spec: GpuStackSpec,
  clusterManager: ClusterManagerClient | undefined,
): Promise<PreflightCheck[]> {
  const version = spec.cluster.version;
  const channel = spec.cluster.releaseChannel;
  if (!version || !clusterManager)
    return [
      {
        id: 'gke-version',
        status: 'ok',
        message: `No version pinned: GKE picks the ${channel} channel's default`,
      },
    ];
  const location = stackNames(spec).clusterLocation;
  try {
    const [config] = await clusterManager.getServerConfig({
      name: `projects/${spec.identity.projectId}/locations/${location}`,
    });
    const channelConfig = (config.channels ?? []).find(
      c => String(c.channel) === channel,
    );
    const offered =
      channel !== 'UNSPECIFIED' && channelConfig
        ? channelConfig.validVersions ?? []
        : config.validMasterVersions ?? [];
    const matches = offered.filter(
      v =>
        v === version ||
        v.startsWith(`${version}.`) ||
        v.startsWith(`${version}-`),
    );
    if (matches.length)
      return [
        {
          id: 'gke-version',
          status: 'ok',
          message: `GKE ${version} is offered${
            channel !== 'UNSPECIFIED' ? ` in the ${channel} channel` : ''
          } (${matches[0]})`,
        },
      ];
    return [
      {
        id: 'gke-version',
        status: 'fail',
        message: `GKE ${version} is not offered${
          channel !== 'UNSPECIFIED' ? ` in the ${channel} channel` : ''
        } in ${location}; offered: ${offered.join(', ')}`,
        field: 'cluster.version',
        link: 'https://cloud.google.com/kubernetes-engine/docs/release-notes',
      },
    ];
  } catch (error) {
    const facts = errorFacts(error);
    return [
      {
        id: 'gke-version',
        status: 'fail',
        message: `Cannot read GKE's server config for ${location}: ${facts.text}`,
        field: 'cluster.version',
      },
    ];
  }
}

/** The state bucket exists, or the run creates it (seed 004). */
async function checkStateBucket(
  spec: GpuStackSpec,
  storage: Storage,
  backend: 'gcs' | 'local',
): Promise<{ checks: PreflightCheck[]; mayBeCreated: boolean }> {
  if (backend === 'local')
    return {
      mayBeCreated: false,
      checks: [
        {
          id: 'state-bucket',
          status: 'ok',
          message:
            'Terraform state is kept locally (gpuCluster.terraform.backend: local)',
        },
      ],
    };
  const bucket = stackNames(spec).stateBucket;
  try {
    const [metadata] = await storage.bucket(bucket).getMetadata();
    return {
      mayBeCreated: false,
      checks: [
        {
          id: 'state-bucket',
          status: metadata.versioning?.enabled ? 'ok' : 'warn',
          message: metadata.versioning?.enabled
            ? `State bucket gs://${bucket} exists`
            : `State bucket gs://${bucket} exists with object versioning off: a damaged state cannot be restored`,
        },
      ],
    };
  } catch (error) {
    const facts = errorFacts(error);
    if (facts.notFound)
      return {
        mayBeCreated: true,
        checks: [
          {
            id: 'state-bucket',
            status: 'ok',
            message: `State bucket gs://${bucket} does not exist yet: the run creates it in ${spec.identity.projectId} (storage.buckets.create is checked with the permissions)`,
          },
        ],
      };
    return {
      mayBeCreated: false,
      checks: [
        {
          id: 'state-bucket',
          status: 'fail',
          message: `Cannot read state bucket gs://${bucket}: ${facts.text} (the runner needs storage.buckets.get on it; the bucket comes from gpuCluster.policy)`,
        },
      ],
    };
  }
}
