/*
 * Proven resume: the real backend (started the way `yarn start` starts it, on a throwaway
 * PostgreSQL) runs the "Create GPU cluster" and "Destroy GPU cluster" steps against the emulators
 * and is killed (SIGKILL, no shutdown) at every step boundary. Each time a fresh backend on the
 * same database takes the task over (scaffolder.taskRecovery) and the task ends as if nothing had
 * happened: one GKE create and one delete operation, one catalog entity, then none.
 *
 * Then two replicas on the one database: a task created on one and followed on the other runs on
 * exactly one of them, and the status API answers from either.
 *
 * The templates are the repository's own, with a `debug:wait` step inserted at each boundary so
 * the kill lands exactly between two steps (a kill inside `terraform apply` would leave its state
 * lock behind, which resuming does not handle: see docs/architecture.md).
 */
import { spawn, type ChildProcess, execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Client } from 'pg';
import { parse, stringify } from 'yaml';
import { createEmulatorClusterManagerClient } from '@gpu-platform/emulators';
import {
  findFreePort,
  startThrowawayPostgres,
  type ThrowawayPostgres,
} from './testing/throwawayPostgres';

jest.setTimeout(20 * 60_000);

const repoRoot = resolve(__dirname, '../../..');
const backendDir = resolve(__dirname, '..');
const PROJECT = 'e2e-team-project';
const NAME_PREFIX = 'resume';
const CLUSTER = `${NAME_PREFIX}-gke`;
const ENTITY_REF = `resource:default/${CLUSTER}`;

/** The named variables of this process's environment that are set. */
function inherited(names: string[]): Record<string, string> {
  return Object.fromEntries(
    names.flatMap(name =>
      process.env[name] === undefined ? [] : [[name, process.env[name]!]],
    ),
  );
}

/** Polls `read` until it returns a value; bounded, with the backend's output on failure. */
async function until<T>(
  what: string,
  read: () => Promise<T | undefined>,
  timeoutMs: number,
  context: () => string,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await read();
      if (value !== undefined) return value;
    } catch (error) {
      last = error;
    }
    await new Promise(r => setTimeout(r, 250));
  }
  throw new Error(
    `${what}: not within ${timeoutMs} ms (${String(
      last ?? 'no error',
    )})\n${context().slice(-6000)}`,
  );
}

/** The repository's template with a 4-second `debug:wait` before each of `before`. */
async function templateWithWaits(
  file: string,
  name: string,
  before: string[],
): Promise<string> {
  const template = parse(await readFile(join(repoRoot, file), 'utf8'));
  template.metadata.name = name;
  template.metadata.title = `${template.metadata.title} (resume test)`;
  const steps: { id: string }[] = [];
  for (const step of template.spec.steps as { id: string }[]) {
    if (before.includes(step.id)) {
      steps.push({
        id: `wait-before-${step.id}`,
        name: `Boundary before ${step.id}`,
        action: 'debug:wait',
        input: { seconds: 4 },
      } as { id: string });
    }
    steps.push(step);
  }
  template.spec.steps = steps;
  return stringify(template);
}

interface TaskEvent {
  type: string;
  body: { message?: string; stepId?: string; status?: string };
}

describe('backend replicas on one PostgreSQL: task recovery and scale-out', () => {
  let postgres: ThrowawayPostgres;
  let workDir: string;
  let emulators: ChildProcess | undefined;
  let primary: { child: ChildProcess; printed: () => string } | undefined;
  let output = '';
  let port: number;
  let gkePort: number;
  let metadataPort: number;
  const token = randomBytes(24).toString('hex');
  const emulatorsDir = () => join(workDir, 'emulators');

  const backendUrl = () => `http://127.0.0.1:${port}`;
  /** What the backends printed, for failure messages. */
  const backendOutput = () => output;

  /**
   * Starts a backend on the test's configuration (plus `extraConfig`, for a second replica) and
   * waits until it is ready; what it prints goes to `output` and to its own `printed`.
   */
  async function startBackend(
    replica: { port: number; extraConfig?: string } = { port },
  ): Promise<{ child: ChildProcess; printed: () => string }> {
    output += '\n--- backend starting ---\n';
    let printed = '';
    const child = spawn(
      process.execPath,
      [
        require.resolve('@backstage/cli/bin/backstage-cli'),
        'package',
        'start',
        '--config',
        join(repoRoot, 'app-config.yaml'),
        '--config',
        join(workDir, 'app-config.test.yaml'),
        ...(replica.extraConfig ? ['--config', replica.extraConfig] : []),
      ],
      {
        cwd: backendDir,
        detached: true,
        stdio: ['ignore', 'pipe', 'pipe'],
        env: {
          ...inherited(['PATH', 'HOME', 'LANG', 'NODE_OPTIONS']),
          EMULATORS_DIR: emulatorsDir(),
          EMULATOR_TOKEN: token,
          // ADC from the emulators' metadata server, never this machine's gcloud or key files.
          GCE_METADATA_HOST: `127.0.0.1:${metadataPort}`,
          METADATA_SERVER_DETECTION: 'assume-present',
          CLOUDSDK_CONFIG: join(emulatorsDir(), 'gcloud'),
          NODE_EXTRA_CA_CERTS: join(emulatorsDir(), 'kubernetes-ca.pem'),
        },
      },
    );
    const record = (data: Buffer) => {
      output += data;
      printed += data;
    };
    child.stdout!.on('data', record);
    child.stderr!.on('data', record);
    await until(
      'backend ready',
      async () => {
        if (child.exitCode !== null) {
          throw new Error(`backend exited with ${child.exitCode}`);
        }
        const res = await fetch(
          `http://127.0.0.1:${replica.port}/.backstage/health/v1/readiness`,
          { signal: AbortSignal.timeout(2_000) },
        );
        return res.ok ? true : undefined;
      },
      240_000,
      backendOutput,
    );
    return { child, printed: () => printed };
  }

  /** SIGKILL to the whole group (the CLI runs the backend in a child): no shutdown hooks run. */
  async function kill(child: ChildProcess) {
    if (!child.pid) return;
    output += '\n--- backend killed ---\n';
    try {
      process.kill(-child.pid, 'SIGKILL');
    } catch {
      // already gone
    }
    await until(
      'backend gone',
      async () =>
        child.exitCode !== null || child.signalCode ? true : undefined,
      10_000,
      backendOutput,
    );
  }

  /** Starts the test's (first) backend. */
  async function startPrimary() {
    primary = await startBackend();
  }

  async function killPrimary() {
    const current = primary;
    primary = undefined;
    if (current) await kill(current.child);
  }

  async function guestHeaders(base = backendUrl()) {
    const res = await fetch(`${base}/api/auth/guest/refresh`, {
      headers: { 'X-Requested-With': 'XMLHttpRequest' },
    });
    expect(res.ok).toBe(true);
    const body = await res.json();
    return { Authorization: `Bearer ${body.backstageIdentity.token}` };
  }

  async function events(
    taskId: string,
    url = backendUrl(),
  ): Promise<TaskEvent[]> {
    const res = await fetch(`${url}/api/scaffolder/v2/tasks/${taskId}/events`, {
      headers: await guestHeaders(url),
      signal: AbortSignal.timeout(10_000),
    });
    if (!res.ok) throw new Error(`events: HTTP ${res.status}`);
    return res.json();
  }

  async function taskStatus(taskId: string): Promise<string> {
    const res = await fetch(
      `${backendUrl()}/api/scaffolder/v2/tasks/${taskId}`,
      { headers: await guestHeaders(), signal: AbortSignal.timeout(10_000) },
    );
    if (!res.ok) throw new Error(`task: HTTP ${res.status}`);
    return (await res.json()).status;
  }

  /** Runs a task, killing and restarting the backend while each boundary step runs. */
  async function runKilledAtBoundaries(
    templateRef: string,
    values: Record<string, unknown>,
    boundaries: string[],
  ): Promise<{ taskId: string; log: string }> {
    const created = await fetch(`${backendUrl()}/api/scaffolder/v2/tasks`, {
      method: 'POST',
      headers: {
        ...(await guestHeaders()),
        'Content-Type': 'application/json',
      },
      body: JSON.stringify({ templateRef, values }),
    });
    expect(created.status).toBe(201);
    const { id: taskId } = await created.json();
    for (const boundary of boundaries) {
      await until(
        `task ${taskId} at ${boundary}`,
        async () => {
          const list = await events(taskId);
          const failed = list.find(
            e => e.type === 'completion' || e.body.status === 'failed',
          );
          if (failed) {
            throw new Error(
              `task ended before ${boundary}: ${list
                .map(e => e.body.message ?? '')
                .join('\n')
                .slice(-4000)}`,
            );
          }
          return list.some(
            e => e.body.stepId === boundary && e.body.status === 'processing',
          )
            ? true
            : undefined;
        },
        600_000,
        backendOutput,
      );
      await killPrimary();
      await startPrimary();
    }
    const status = await until(
      `task ${taskId} finished`,
      async () => {
        const current = await taskStatus(taskId);
        return ['completed', 'failed', 'cancelled'].includes(current)
          ? current
          : undefined;
      },
      600_000,
      backendOutput,
    );
    const log = (await events(taskId))
      .map(e => e.body.message ?? '')
      .join('\n');
    expect({ status, log: status === 'completed' ? '' : log }).toEqual({
      status: 'completed',
      log: '',
    });
    return { taskId, log };
  }

  async function recoveredCount(taskId: string): Promise<number> {
    const client = new Client({
      host: postgres.host,
      port: postgres.port,
      user: postgres.user,
      password: postgres.password,
      database: 'backstage_plugin_scaffolder',
    });
    await client.connect();
    try {
      const result = await client.query(
        "select count(*)::int as n from task_events where task_id = $1 and event_type = 'recovered'",
        [taskId],
      );
      return result.rows[0].n;
    } finally {
      await client.end();
    }
  }

  async function gkeOperations(cluster = CLUSTER) {
    const info = JSON.parse(
      await readFile(join(emulatorsDir(), 'emulators.json'), 'utf8'),
    ) as { gke: { caPem: string } };
    const client = createEmulatorClusterManagerClient({
      host: '127.0.0.1',
      port: gkePort,
      token,
      caCertPem: info.gke.caPem,
    });
    try {
      const [clusters] = await client.listClusters({
        parent: `projects/${PROJECT}/locations/-`,
      });
      const [operations] = await client.listOperations({
        parent: `projects/${PROJECT}/locations/-`,
      });
      const ofCluster = (operations.operations ?? []).filter(op =>
        (op.targetLink ?? '').endsWith(`/clusters/${cluster}`),
      );
      return {
        clusters: (clusters.clusters ?? [])
          .map(c => c.name)
          .filter(name => name === cluster),
        creates: ofCluster.filter(op => op.operationType === 'CREATE_CLUSTER')
          .length,
        deletes: ofCluster.filter(op => op.operationType === 'DELETE_CLUSTER')
          .length,
      };
    } finally {
      await client.close();
    }
  }

  async function catalogEntities(): Promise<string[]> {
    const res = await fetch(
      `${backendUrl()}/api/catalog/entities/by-query?filter=kind=resource,metadata.name=${CLUSTER}`,
      { headers: await guestHeaders() },
    );
    expect(res.ok).toBe(true);
    return ((await res.json()).items as { metadata: { uid: string } }[]).map(
      e => e.metadata.uid,
    );
  }

  beforeAll(async () => {
    postgres = await startThrowawayPostgres();
    workDir = await mkdtemp(join(tmpdir(), 'task-recovery-test-'));
    await mkdir(join(emulatorsDir(), 'catalog'), { recursive: true });
    port = await findFreePort();
    gkePort = await findFreePort();
    metadataPort = await findFreePort();
    const kubePort = await findFreePort();
    const gcsPort = await findFreePort();
    const cloudPort = await findFreePort();

    // The emulators the way scripts/start.sh starts them, on free ports.
    execFileSync(process.execPath, [
      join(
        repoRoot,
        'packages/terraform-schema-provider/bin/terraform-google-mirror',
      ),
      join(emulatorsDir(), 'terraform'),
    ]);
    let emulatorOutput = '';
    emulators = spawn(
      process.execPath,
      [
        join(repoRoot, 'packages/emulators/bin/emulators.js'),
        '--out-dir',
        emulatorsDir(),
        '--kube-port',
        String(kubePort),
        '--gke-port',
        String(gkePort),
        '--metadata-port',
        String(metadataPort),
        '--gcs-port',
        String(gcsPort),
        '--cloud-port',
        String(cloudPort),
        '--token',
        token,
        '--operation-step-ms',
        '200',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    emulators.stdout!.on('data', d => (emulatorOutput += d));
    emulators.stderr!.on('data', d => (emulatorOutput += d));
    await until(
      'emulators ready',
      async () =>
        emulatorOutput.includes('emulators ready') ? true : undefined,
      120_000,
      () => emulatorOutput,
    );

    // The repository's templates with a wait at every boundary of their steps.
    await writeFile(
      join(workDir, 'create-template.yaml'),
      await templateWithWaits(
        'templates/gke-gpu-cluster/template.yaml',
        'gke-gpu-cluster-resume',
        ['preflight', 'render', 'terraform', 'kubectl', 'register'],
      ),
    );
    await writeFile(
      join(workDir, 'destroy-template.yaml'),
      await templateWithWaits(
        'templates/gke-gpu-cluster-destroy/template.yaml',
        'gke-gpu-cluster-destroy-resume',
        ['destroy', 'refused-guidance'],
      ),
    );

    const appConfig = parse(
      await readFile(join(repoRoot, 'app-config.yaml'), 'utf8'),
    );
    const demo = appConfig.gpuCluster.clusters[0];
    const caFile = join(emulatorsDir(), 'kubernetes-ca.pem');
    const gkeEndpoint = {
      host: '127.0.0.1',
      port: gkePort,
      caFile: join(emulatorsDir(), 'gke-ca.pem'),
      token,
    };
    await writeFile(
      join(workDir, 'app-config.test.yaml'),
      stringify({
        app: { baseUrl: `http://127.0.0.1:${port}` },
        backend: {
          baseUrl: `http://127.0.0.1:${port}`,
          listen: { host: '127.0.0.1', port },
          database: {
            client: 'pg',
            connection: {
              host: postgres.host,
              port: postgres.port,
              user: postgres.user,
              password: postgres.password,
            },
          },
        },
        // A killed backend's tasks are taken over 3 s after its last heartbeat (30 s by default).
        scaffolder: {
          taskRecovery: { enabled: true, staleTimeout: { seconds: 3 } },
        },
        catalog: {
          locations: [
            ...appConfig.catalog.locations,
            ...['create-template.yaml', 'destroy-template.yaml'].map(file => ({
              type: 'file',
              target: join(workDir, file),
              rules: [{ allow: ['Template'] }],
            })),
          ],
        },
        kubernetes: {
          clusterLocatorMethods: [
            {
              type: 'config',
              clusters: [
                {
                  name: demo.name,
                  url: `https://127.0.0.1:${kubePort}`,
                  authProvider: 'serviceAccount',
                  serviceAccountToken: token,
                  caFile,
                },
              ],
            },
          ],
        },
        gpuCluster: {
          clusters: [
            {
              ...demo,
              kubernetes: {
                url: `https://127.0.0.1:${kubePort}`,
                caFile,
                token,
              },
              gke: { ...demo.gke, endpoint: gkeEndpoint },
            },
          ],
          gke: { endpoint: gkeEndpoint },
          preflight: {
            endpoint: { url: `http://127.0.0.1:${cloudPort}`, token },
          },
          terraform: {
            env: {
              STORAGE_EMULATOR_HOST: `http://127.0.0.1:${gcsPort}`,
              TF_SCHEMA_PROVIDER_GKE_ENDPOINT: `127.0.0.1:${gkePort}`,
            },
          },
        },
      }),
    );
    await startPrimary();
  });

  afterAll(async () => {
    await killPrimary().catch(() => undefined);
    if (emulators?.pid) {
      emulators.kill('SIGTERM');
      await new Promise(r => setTimeout(r, 1_000));
      emulators.kill('SIGKILL');
    }
    await postgres?.stop();
    if (workDir) await rm(workDir, { recursive: true, force: true });
  });

  it('resumes Create and Destroy after each kill without doing anything twice', async () => {
    // The catalog has read the templates and the ownership model (the guest is in platform-team).
    for (const ref of [
      'template/default/gke-gpu-cluster-resume',
      'template/default/gke-gpu-cluster-destroy-resume',
      'group/default/platform-team',
      'user/default/guest',
    ]) {
      await until(
        `${ref} in the catalog`,
        async () => {
          const res = await fetch(
            `${backendUrl()}/api/catalog/entities/by-name/${ref}`,
            { headers: await guestHeaders() },
          );
          return res.ok ? true : undefined;
        },
        180_000,
        backendOutput,
      );
    }

    // Create, killed between every two steps.
    const create = await runKilledAtBoundaries(
      'template:default/gke-gpu-cluster-resume',
      {
        identity: {
          projectId: PROJECT,
          namePrefix: NAME_PREFIX,
          owner: 'group:default/platform-team',
        },
      },
      [
        'wait-before-preflight',
        'wait-before-render',
        'wait-before-terraform',
        'wait-before-kubectl',
        'wait-before-register',
      ],
    );
    expect(await recoveredCount(create.taskId)).toBe(5);
    // Taken over after the last completed step, not from the beginning.
    expect(create.log).toContain(
      'Skipping step terraform because it was already completed',
    );
    const afterCreate = await gkeOperations();
    expect(afterCreate).toEqual({
      clusters: [CLUSTER],
      creates: 1,
      deletes: 0,
    });
    const entities = await until(
      'the cluster in the catalog',
      async () => {
        const uids = await catalogEntities();
        return uids.length > 0 ? uids : undefined;
      },
      120_000,
      backendOutput,
    );
    expect(entities).toHaveLength(1);

    // Destroy, killed before and after its step.
    const destroy = await runKilledAtBoundaries(
      'template:default/gke-gpu-cluster-destroy-resume',
      { entityRef: ENTITY_REF, confirmName: CLUSTER },
      ['wait-before-destroy', 'wait-before-refused-guidance'],
    );
    expect(await recoveredCount(destroy.taskId)).toBe(2);
    expect(destroy.log).toContain(
      'Skipping step destroy because it was already completed',
    );
    expect(await gkeOperations()).toEqual({
      clusters: [],
      creates: 1,
      deletes: 1,
    });
    await until(
      'the cluster out of the catalog',
      async () => ((await catalogEntities()).length === 0 ? true : undefined),
      120_000,
      backendOutput,
    );
  });

  it('runs a task on exactly one of two replicas on one database; the status API answers from either', async () => {
    const portB = await findFreePort();
    const replicaConfig = join(workDir, 'app-config.replica-b.yaml');
    await writeFile(
      replicaConfig,
      stringify({
        backend: {
          baseUrl: `http://127.0.0.1:${portB}`,
          listen: { host: '127.0.0.1', port: portB },
        },
      }),
    );
    const replicaA = primary!;
    const replicaB = await startBackend({
      port: portB,
      extraConfig: replicaConfig,
    });
    try {
      const urlA = backendUrl();
      const urlB = `http://127.0.0.1:${portB}`;
      const twin = 'twin';
      const created = await fetch(`${urlA}/api/scaffolder/v2/tasks`, {
        method: 'POST',
        headers: {
          ...(await guestHeaders(urlA)),
          'Content-Type': 'application/json',
        },
        body: JSON.stringify({
          templateRef: 'template:default/gke-gpu-cluster',
          values: {
            identity: {
              projectId: PROJECT,
              namePrefix: twin,
              owner: 'group:default/platform-team',
            },
          },
        }),
      });
      expect(created.status).toBe(201);
      const { id: taskId } = await created.json();
      // Created on A, followed on B: the task lives in the shared database.
      const status = await until(
        `task ${taskId} finished (read on replica B)`,
        async () => {
          const res = await fetch(`${urlB}/api/scaffolder/v2/tasks/${taskId}`, {
            headers: await guestHeaders(urlB),
          });
          const current = (await res.json()).status;
          return ['completed', 'failed', 'cancelled'].includes(current)
            ? current
            : undefined;
        },
        600_000,
        backendOutput,
      );
      const log =
        status === 'completed'
          ? ''
          : (await events(taskId, urlB))
              .map(e => e.body.message ?? '')
              .join('\n')
              .slice(-4000);
      expect({ status, log }).toEqual({ status: 'completed', log: '' });
      // It ran on exactly one of them: only one printed its steps; GKE saw one create.
      const registered = `Registered resource:default/${twin}-gke`;
      expect(
        [replicaA.printed(), replicaB.printed()].filter(printed =>
          printed.includes(registered),
        ),
      ).toHaveLength(1);
      expect(await gkeOperations(`${twin}-gke`)).toEqual({
        clusters: [`${twin}-gke`],
        creates: 1,
        deletes: 0,
      });
      // The status API answers from either replica, for the configured demo cluster and for the
      // cluster the task just created (registration in the shared database, GKE discovery).
      for (const name of ['h200-dws-demo', `${twin}-gke`]) {
        const answers = await Promise.all(
          [urlA, urlB].map(async url =>
            until(
              `${name} status from ${url}`,
              async () => {
                const res = await fetch(
                  `${url}/api/gpu-cluster/clusters/default/${name}/status`,
                  { headers: await guestHeaders(url) },
                );
                return res.status === 200 ? await res.json() : undefined;
              },
              120_000,
              backendOutput,
            ),
          ),
        );
        expect(answers.map(a => a.clusterName)).toEqual([
          answers[0].clusterName,
          answers[0].clusterName,
        ]);
        expect(answers[1].summary.gpusCapacity).toBe(
          answers[0].summary.gpusCapacity,
        );
      }
    } finally {
      await kill(replicaB.child);
    }
  });
});
