import https from 'node:https';
import type { KubeConfig } from '@kubernetes/client-node';
import {
  NotAllowedError,
  NotFoundError,
  ServiceUnavailableError,
} from '@backstage/errors';
import type {
  RayClusterStatus,
  RayDashboardJob,
  RayDashboardJobs,
} from '@gpu-platform/backstage-plugin-gpu-cluster-common';
import { z } from 'zod';
import type { GpuClusterConfig } from './config';
import { createKubeConfig } from './ClusterWatcher';

/** The largest dashboard answer read (a long-lived cluster lists every job it ever ran). */
const MAX_BODY_BYTES = 4 * 1024 * 1024;

/**
 * One job of the dashboard's `GET /api/jobs/` (Ray Jobs REST API, JobDetails): only the fields
 * shown are read; anything else the dashboard adds is ignored.
 */
const dashboardJob = z.object({
  type: z.string().nullish(),
  job_id: z.string().nullish(),
  submission_id: z.string().nullish(),
  status: z.string(),
  entrypoint: z.string().nullish(),
  message: z.string().nullish(),
  start_time: z.number().nullish(),
  end_time: z.number().nullish(),
});
const dashboardJobs = z.array(dashboardJob);

const cut = (text: string | null | undefined, max: number) => {
  if (!text) return undefined;
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
};
const isoOf = (ms: number | null | undefined) =>
  ms ? new Date(ms).toISOString() : undefined;

export interface RayJobsReader {
  jobs(
    cluster: GpuClusterConfig,
    rayCluster: RayClusterStatus,
  ): Promise<RayDashboardJobs>;
}

/**
 * Reads a Ray cluster's jobs from its dashboard's Jobs API through the Kubernetes API server's
 * service proxy (`services/<head>:<dashboard port>/proxy/api/jobs/`), with the cluster's
 * configured (read-only) credentials. Only that path, only GET: the dashboard also accepts job
 * submissions, which this never forwards. The head service and port come from the RayCluster the
 * informers saw, never from the request.
 */
export class RayDashboardReader implements RayJobsReader {
  private readonly configs = new Map<string, KubeConfig>();

  constructor(
    private readonly options: { timeoutMs?: number; limit?: number } = {},
  ) {}

  async jobs(
    cluster: GpuClusterConfig,
    rayCluster: RayClusterStatus,
  ): Promise<RayDashboardJobs> {
    const subject = `RayCluster ${rayCluster.namespace}/${rayCluster.name}`;
    if (!rayCluster.headServiceName) {
      throw new ServiceUnavailableError(`${subject} has no head service yet`);
    }
    const kc = this.kubeConfig(cluster);
    const server = kc.getCurrentCluster()!.server.replace(/\/+$/, '');
    const url = new URL(
      `${server}/api/v1/namespaces/${encodeURIComponent(
        rayCluster.namespace,
      )}/services/${encodeURIComponent(
        `${rayCluster.headServiceName}:${rayCluster.dashboardPort ?? 8265}`,
      )}/proxy/api/jobs/`,
    );
    const { status, body } = await this.get(kc, url);
    if (status === 403 || status === 401) {
      throw new NotAllowedError(
        `The status identity may not read ${subject}'s dashboard (services/proxy in ${rayCluster.namespace})`,
      );
    }
    if (status === 404) {
      throw new NotFoundError(
        `${subject}: its head service ${rayCluster.headServiceName} was not found`,
      );
    }
    if (status !== 200) {
      // The API server's Status message says why (no ready head, dashboard not answering).
      let reason = `HTTP ${status}`;
      try {
        reason = String(JSON.parse(body).message ?? reason).slice(0, 300);
      } catch {
        // not a Status body
      }
      throw new ServiceUnavailableError(
        `The dashboard of ${subject} did not answer: ${reason}`,
      );
    }
    let parsed: z.infer<typeof dashboardJobs>;
    try {
      parsed = dashboardJobs.parse(JSON.parse(body));
    } catch {
      throw new ServiceUnavailableError(
        `The dashboard of ${subject} answered something that is not a Ray job list`,
      );
    }
    const limit = this.options.limit ?? 50;
    const jobs: RayDashboardJob[] = parsed
      .map(j => ({
        submissionId: j.submission_id ?? undefined,
        jobId: j.job_id ?? undefined,
        type: j.type ?? undefined,
        status: j.status,
        entrypoint: cut(j.entrypoint, 300),
        message: cut(j.message, 500),
        startTime: isoOf(j.start_time),
        endTime: isoOf(j.end_time),
      }))
      .sort((a, b) => (b.startTime ?? '').localeCompare(a.startTime ?? ''));
    return {
      namespace: rayCluster.namespace,
      rayCluster: rayCluster.name,
      fetchedAt: new Date().toISOString(),
      jobs: jobs.slice(0, limit),
      total: jobs.length,
      limit,
    };
  }

  private kubeConfig(cluster: GpuClusterConfig): KubeConfig {
    const key = `${cluster.name}|${cluster.kubernetes.url}`;
    let kc = this.configs.get(key);
    if (!kc) {
      kc = createKubeConfig(cluster.name, cluster.kubernetes);
      this.configs.set(key, kc);
    }
    return kc;
  }

  private async get(
    kc: KubeConfig,
    url: URL,
  ): Promise<{ status: number; body: string }> {
    const options: https.RequestOptions = {
      method: 'GET',
      headers: { Accept: 'application/json' },
    };
    await kc.applyToHTTPSOptions(options);
    const timeoutMs = this.options.timeoutMs ?? 10_000;
    return new Promise((resolve, reject) => {
      const req = https.request(url, options, res => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > MAX_BODY_BYTES) {
            req.destroy(
              new ServiceUnavailableError(
                'The Ray dashboard answered more than 4 MiB',
              ),
            );
            return;
          }
          chunks.push(chunk);
        });
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            body: Buffer.concat(chunks).toString('utf8'),
          }),
        );
        res.on('error', reject);
      });
      req.setTimeout(timeoutMs, () =>
        req.destroy(
          new ServiceUnavailableError(
            `The Ray dashboard did not answer within ${timeoutMs} ms`,
          ),
        ),
      );
      req.on('error', error =>
        reject(
          error instanceof ServiceUnavailableError
            ? error
            : new ServiceUnavailableError(
                `The cluster's API server could not be reached: ${
                  (error as NodeJS.ErrnoException).code ?? 'connection failed'
                }`,
              ),
        ),
      );
      req.end();
    });
  }
}
