import https from 'node:https';
import { BatchV1Api, CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { ManualClock } from '../../clock';
import { startKubeEmulator, type KubeEmulator } from '../KubeEmulator';
import { FABRIC_ANNOTATION } from '../../scenarios/ncclTest';

const NS = 'default';

function get(emu: KubeEmulator, path: string, token = emu.token) {
  return new Promise<{ status: number; type?: string; body: string }>(
    (resolve, reject) => {
      const req = https.request(
        new URL(path, emu.url),
        {
          ca: emu.caPem,
          headers: { Authorization: `Bearer ${token}` },
          timeout: 5000,
        },
        res => {
          let body = '';
          res.on('data', c => (body += c));
          res.on('end', () =>
            resolve({
              status: res.statusCode!,
              type: res.headers['content-type'],
              body,
            }),
          );
        },
      );
      req.on('error', reject);
      req.on('timeout', () => req.destroy(new Error('client timeout')));
      req.end();
    },
  );
}

/** An Indexed Job shaped like the stack's verification Job (no queue: it runs at once). */
function ncclJob(name: string) {
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name, namespace: NS },
    spec: {
      completionMode: 'Indexed',
      completions: 2,
      parallelism: 2,
      backoffLimit: 0,
      template: {
        spec: {
          restartPolicy: 'Never',
          containers: [
            {
              name: 'nccl-test',
              image:
                'us-docker.pkg.dev/gce-ai-infra/gpudirect-gib/nccl-plugin-gib-diagnostic:v1.0.6',
              command: ['/bin/bash', '-c'],
              args: [
                'mpirun -np 16 all_gather_perf -b 1K -e 8G -f 2 -g 1 -w 5 --iters 100',
              ],
              env: [
                { name: 'JOB_NAME', value: name },
                { name: 'NODES', value: '2' },
                { name: 'GPUS_PER_NODE', value: '8' },
                { name: 'MIN_BUS_BW', value: '240' },
              ],
            },
          ],
        },
      },
    },
  };
}

describe('pods/log', () => {
  let emu: KubeEmulator;
  let clock: ManualClock;
  let core: CoreV1Api;
  let batch: BatchV1Api;

  beforeAll(async () => {
    clock = new ManualClock();
    emu = await startKubeEmulator({
      clock,
      fixtures: 'demo',
      users: { 'viewer-token': 'viewer' },
      forbid: [{ user: 'viewer', resource: 'pods', subresource: 'log' }],
    });
    const kc = new KubeConfig();
    kc.loadFromString(emu.kubeconfig());
    core = kc.makeApiClient(CoreV1Api);
    batch = kc.makeApiClient(BatchV1Api);
  });
  afterAll(() => emu?.stop());

  const podsOf = async (job: string) =>
    (
      await core.listNamespacedPod({
        namespace: NS,
        labelSelector: `job-name=${job}`,
      })
    ).items.sort((a, b) => a.metadata!.name!.localeCompare(b.metadata!.name!));
  const jobCondition = async (job: string) =>
    (
      await batch.readNamespacedJob({ name: job, namespace: NS })
    ).status?.conditions?.find(
      c => c.status === 'True' && /Complete|Failed/.test(c.type),
    )?.type;

  it("serves rank 0's all_gather_perf output on a healthy fabric through the real client", async () => {
    await batch.createNamespacedJob({
      namespace: NS,
      body: ncclJob('nccl-ok'),
    });
    emu.scenarios.engine.runFor(10_000);
    const [rank0] = await podsOf('nccl-ok');
    expect(rank0.status?.phase).toBe('Running');
    // While it runs, only NCCL's initialisation is out.
    const running = await core.readNamespacedPodLog({
      name: rank0.metadata!.name!,
      namespace: NS,
    });
    expect(running).toContain('NCCL INFO Using network gIB');
    expect(running).not.toContain('Avg bus bandwidth');

    emu.scenarios.engine.runFor(40_000);
    expect(await jobCondition('nccl-ok')).toBe('Complete');
    const log = await core.readNamespacedPodLog({
      name: rank0.metadata!.name!,
      namespace: NS,
    });
    expect(log).toMatch(/^ +8589934592 +134217728 +float +none +-1 /m);
    expect(log).toMatch(/^# Avg bus bandwidth {4}: [\d.]+ $/m);
    const marker =
      /^GPU_PLATFORM_NCCL_RESULT busbw=([\d.]+) avg=[\d.]+ threshold=240 transport=NET\/gIB$/m.exec(
        log,
      );
    expect(Number(marker?.[1])).toBeGreaterThan(300);
    // 24 sizes, 1 KiB … 8 GiB.
    expect(log.match(/^ +\d+ +\d+ +float /gm)).toHaveLength(24);
    // Other ranks print nothing of their own.
    const [, rank1] = await podsOf('nccl-ok');
    expect(
      await core.readNamespacedPodLog({
        name: rank1.metadata!.name!,
        namespace: NS,
      }),
    ).toBe('');
  });

  it('falls back to NET/Socket on nodes with a degraded fabric, and the Job fails as the script exits 1', async () => {
    const nodes = (await core.listNode()).items;
    for (const node of nodes)
      emu.client.modify('v1', 'Node', node.metadata!.name!, undefined, o => {
        o.metadata.annotations = {
          ...(o.metadata.annotations ?? {}),
          [FABRIC_ANNOTATION]: 'socket-fallback',
        };
      });
    try {
      await batch.createNamespacedJob({
        namespace: NS,
        body: ncclJob('nccl-bad'),
      });
      emu.scenarios.engine.runFor(50_000);
      expect(await jobCondition('nccl-bad')).toBe('Failed');
      const job = await batch.readNamespacedJob({
        name: 'nccl-bad',
        namespace: NS,
      });
      expect(job.status?.conditions).toContainEqual(
        expect.objectContaining({
          type: 'Failed',
          reason: 'BackoffLimitExceeded',
          message: 'Job has reached the specified backoff limit',
        }),
      );
      const rank0 = (await podsOf('nccl-bad')).find(
        p =>
          p.metadata?.labels?.['batch.kubernetes.io/job-completion-index'] ===
          '0',
      )!;
      expect(rank0.status?.phase).toBe('Failed');
      expect(
        rank0.status?.containerStatuses?.[0].state?.terminated?.exitCode,
      ).toBe(1);
      const log = await core.readNamespacedPodLog({
        name: rank0.metadata!.name!,
        namespace: NS,
      });
      expect(log).toContain('NCCL INFO Using network Socket');
      const busbw = Number(/busbw=([\d.]+)/.exec(log)?.[1]);
      expect(busbw).toBeLessThan(20);
    } finally {
      for (const node of nodes)
        emu.client.modify('v1', 'Node', node.metadata!.name!, undefined, o => {
          delete o.metadata.annotations?.[FABRIC_ANNOTATION];
        });
    }
  });

  it('applies tailLines then limitBytes and answers text/plain', async () => {
    const [rank0] = await podsOf('nccl-ok');
    const path = `/api/v1/namespaces/${NS}/pods/${rank0.metadata!.name}/log`;
    const tail = await get(emu, `${path}?tailLines=2`);
    expect(tail.status).toBe(200);
    expect(tail.type).toBe('text/plain');
    expect(tail.body).toMatch(/^#\nGPU_PLATFORM_NCCL_RESULT .*\n$/);
    const limited = await get(emu, `${path}?tailLines=2&limitBytes=3`);
    expect(limited.body).toBe('#\nG');
    expect((await get(emu, `${path}?tailLines=0`)).body).toBe('');
  });

  it('refuses as the API server does', async () => {
    const [rank0] = await podsOf('nccl-ok');
    const name = rank0.metadata!.name!;
    const path = `/api/v1/namespaces/${NS}/pods/${name}/log`;
    const status = async (p: string, token?: string) => {
      const r = await get(emu, p, token);
      return { code: r.status, ...JSON.parse(r.body) };
    };
    expect(
      await status(`/api/v1/namespaces/${NS}/pods/nope/log`),
    ).toMatchObject({
      code: 404,
      reason: 'NotFound',
      message: 'pods "nope" not found',
    });
    expect(await status(`${path}?container=sidecar`)).toMatchObject({
      code: 400,
      reason: 'BadRequest',
      message: `container sidecar is not valid for pod ${name}`,
    });
    expect(await status(`${path}?limitBytes=0`)).toMatchObject({
      code: 422,
      reason: 'Invalid',
      message: `PodLogOptions "${name}" is invalid: limitBytes: Invalid value: 0: must be greater than 0`,
    });
    expect(await status(`${path}?tailLines=-1`)).toMatchObject({
      code: 422,
      message: `PodLogOptions "${name}" is invalid: tailLines: Invalid value: -1: must be greater than or equal to 0`,
    });
    expect((await status(`${path}?tailLines=abc`)).code).toBe(400);
    expect(await status(path, 'viewer-token')).toMatchObject({
      code: 403,
      reason: 'Forbidden',
      message: `pods "${name}" is forbidden: User "viewer" cannot get resource "pods/log" in API group "" in the namespace "${NS}"`,
    });
    // Forbidding pods/log leaves the pod itself readable.
    expect(
      (await get(emu, `/api/v1/namespaces/${NS}/pods/${name}`, 'viewer-token'))
        .status,
    ).toBe(200);
    expect((await get(emu, path, 'wrong')).status).toBe(401);
  });

  it('asks for a container name when the pod has several, and waits for a pending container', async () => {
    const twoContainers = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'two', namespace: NS },
      spec: {
        nodeName: (await core.listNode()).items[0].metadata!.name,
        containers: [
          { name: 'a', image: 'busybox' },
          { name: 'b', image: 'busybox' },
        ],
        initContainers: [{ name: 'init', image: 'busybox' }],
      },
    };
    await core.createNamespacedPod({
      namespace: NS,
      body: twoContainers as any,
    });
    const r = await get(emu, `/api/v1/namespaces/${NS}/pods/two/log`);
    expect(r.status).toBe(400);
    expect(JSON.parse(r.body).message).toBe(
      'a container name must be specified for pod two, choose one of: [a b] or one of the init containers: [init]',
    );
    const waiting = await get(
      emu,
      `/api/v1/namespaces/${NS}/pods/two/log?container=a`,
    );
    expect(waiting.status).toBe(400);
    expect(JSON.parse(waiting.body).message).toBe(
      'container "a" in pod "two" is waiting to start: ContainerCreating',
    );
  });
});
