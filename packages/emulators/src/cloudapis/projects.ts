import { EMULATED_REGIONS, GPU_QUOTA_METRIC_NAMES } from './catalog';

/**
 * The projects the Compute, Service Usage and Resource Manager emulators share: which APIs each
 * has enabled, its regional quotas and the permissions the caller (the emulators' one identity)
 * holds on it. A project that is not here does not exist: Compute answers 404, Service Usage and
 * Resource Manager 403 (Google does not tell a caller whether a project it may not see exists).
 */

/** One regional quota, as `Region.quotas[]` reports it. */
export interface EmulatedQuota {
  metric: string;
  limit: number;
  usage: number;
}

export interface EmulatedProject {
  projectId: string;
  projectNumber: string;
  /** Enabled service names (`compute.googleapis.com`). */
  enabledServices: Set<string>;
  /** Quota overrides per region and metric; every other GPU metric gets `defaultGpuQuota`. */
  quotas: Map<string, Map<string, EmulatedQuota>>;
  /** Limit of every GPU metric not overridden (per region). */
  defaultGpuQuota: number;
  /** Permissions the caller does not hold here; it holds every other valid one (an owner). */
  deniedPermissions: Set<string>;
}

/** What a project is created with. */
export interface EmulatedProjectInput {
  projectId: string;
  enabledServices?: readonly string[];
  /** `{ 'us-central1': { PREEMPTIBLE_NVIDIA_H200_GPUS: { limit: 8, usage: 0 } } }`. */
  quotas?: Record<string, Record<string, { limit: number; usage?: number }>>;
  defaultGpuQuota?: number;
  deniedPermissions?: readonly string[];
}

/**
 * Services a new project has enabled (https://cloud.google.com/service-usage/docs/enabled-service#default:
 * "APIs and services that are automatically enabled" in every new project, among them BigQuery,
 * Cloud Storage, Cloud Logging, Cloud Monitoring, Service Management, Service Usage…).
 */
export const DEFAULT_ENABLED_SERVICES: readonly string[] = [
  'bigquery.googleapis.com',
  'bigquerystorage.googleapis.com',
  'cloudapis.googleapis.com',
  'clouddebugger.googleapis.com',
  'cloudtrace.googleapis.com',
  'datastore.googleapis.com',
  'logging.googleapis.com',
  'monitoring.googleapis.com',
  'servicemanagement.googleapis.com',
  'serviceusage.googleapis.com',
  'sql-component.googleapis.com',
  'storage-api.googleapis.com',
  'storage-component.googleapis.com',
  'storage.googleapis.com',
];

/** Every API a GPU stack uses, enabled: the state of a project a platform team has prepared. */
export const PREPARED_SERVICES: readonly string[] = [
  ...DEFAULT_ENABLED_SERVICES,
  'artifactregistry.googleapis.com',
  'cloudbuild.googleapis.com',
  'cloudresourcemanager.googleapis.com',
  'compute.googleapis.com',
  'container.googleapis.com',
  'file.googleapis.com',
  'iam.googleapis.com',
  'iamcredentials.googleapis.com',
  'secretmanager.googleapis.com',
  'servicenetworking.googleapis.com',
];

/** Services the emulated Service Usage knows (a name outside these is not a service: 403). */
export const KNOWN_SERVICES: ReadonlySet<string> = new Set([
  ...PREPARED_SERVICES,
  'aiplatform.googleapis.com',
  'pubsub.googleapis.com',
  'run.googleapis.com',
]);

export class CloudProjectStore {
  private readonly projects = new Map<string, EmulatedProject>();
  private nextNumber = 200000000001;

  add(input: EmulatedProjectInput): EmulatedProject {
    const quotas = new Map<string, Map<string, EmulatedQuota>>();
    for (const [region, metrics] of Object.entries(input.quotas ?? {})) {
      quotas.set(
        region,
        new Map(
          Object.entries(metrics).map(([metric, q]) => [
            metric,
            { metric, limit: q.limit, usage: q.usage ?? 0 },
          ]),
        ),
      );
    }
    const project: EmulatedProject = {
      projectId: input.projectId,
      projectNumber: String(this.nextNumber++),
      enabledServices: new Set(input.enabledServices ?? PREPARED_SERVICES),
      quotas,
      defaultGpuQuota: input.defaultGpuQuota ?? 1024,
      deniedPermissions: new Set(input.deniedPermissions ?? []),
    };
    this.projects.set(project.projectId, project);
    return project;
  }

  /** By project ID or number. */
  get(idOrNumber: string): EmulatedProject | undefined {
    return (
      this.projects.get(idOrNumber) ??
      [...this.projects.values()].find(p => p.projectNumber === idOrNumber)
    );
  }

  list(): EmulatedProject[] {
    return [...this.projects.values()];
  }

  /** The quotas a region reports: every GPU metric, on-demand and preemptible. */
  regionQuotas(project: EmulatedProject, region: string): EmulatedQuota[] {
    const overrides = project.quotas.get(region) ?? new Map();
    const metrics = [
      'CPUS',
      'PREEMPTIBLE_CPUS',
      'SSD_TOTAL_GB',
      ...GPU_QUOTA_METRIC_NAMES,
    ];
    const defaults: Record<string, number> = {
      CPUS: 24000,
      PREEMPTIBLE_CPUS: 24000,
      SSD_TOTAL_GB: 204800,
    };
    const list = metrics.map(
      metric =>
        overrides.get(metric) ?? {
          metric,
          limit: defaults[metric] ?? project.defaultGpuQuota,
          usage: 0,
        },
    );
    for (const [metric, quota] of overrides)
      if (!metrics.includes(metric)) list.push({ ...quota, metric });
    return list;
  }
}

/** The project whose GPU quota is short: preflight refuses its GPU stacks, naming the quota. */
export const SHORT_QUOTA_PROJECT = 'demo-short-quota';

/**
 * The demo projects of the embedded default: the policy's projects, prepared (every API on,
 * ample quota), and `demo-short-quota`, whose GPU quota in every region is 8 GPUs per metric with
 * 4 in use — one 8-GPU node does not fit.
 */
export function demoCloudProjects(): EmulatedProjectInput[] {
  const short: Record<string, { limit: number; usage: number }> = {};
  for (const metric of GPU_QUOTA_METRIC_NAMES)
    short[metric] = { limit: 8, usage: 4 };
  return [
    { projectId: 'gpu-launchpad-demo' },
    { projectId: 'e2e-team-project' },
    {
      projectId: SHORT_QUOTA_PROJECT,
      quotas: Object.fromEntries(EMULATED_REGIONS.map(r => [r, short])),
    },
  ];
}
