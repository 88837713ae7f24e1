import { AppsV1Api, KubeConfig } from '@kubernetes/client-node';
import { ManualClock } from '../clock';
import { startKubeEmulator, type KubeEmulator } from '../kube/KubeEmulator';
import { replicaSetName } from './deployments';

describe('scripted Deployment controller', () => {
  let emu: KubeEmulator;
  let apps: AppsV1Api;

  beforeAll(async () => {
    emu = await startKubeEmulator({
      clock: new ManualClock(),
      scenarios: { timings: { deploymentReadyMs: 5000 } },
    });
    const kc = new KubeConfig();
    kc.loadFromString(emu.kubeconfig());
    apps = kc.makeApiClient(AppsV1Api);
  });
  afterAll(() => emu.stop());

  const deployment = (image: string, replicas?: number) => ({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'controller', namespace: 'default' },
    spec: {
      ...(replicas === undefined ? {} : { replicas }),
      selector: { matchLabels: { app: 'controller' } },
      template: {
        metadata: { labels: { app: 'controller' } },
        spec: { containers: [{ name: 'manager', image }] },
      },
    },
  });
  const read = () =>
    apps.readNamespacedDeployment({ name: 'controller', namespace: 'default' });
  const condition = (d: any, type: string) =>
    d.status?.conditions?.find((c: any) => c.type === type);

  it('observes a new Deployment at once and makes it available after deploymentReadyMs', async () => {
    await apps.createNamespacedDeployment({
      namespace: 'default',
      body: deployment('registry.k8s.io/kueue/kueue:v0.19.2', 2) as any,
    });
    expect((await read()).status).toBeUndefined();

    emu.scenarios.engine.runFor(0);
    const observed = await read();
    expect(observed.status).toMatchObject({
      observedGeneration: 1,
      replicas: 2,
      updatedReplicas: 2,
      unavailableReplicas: 2,
    });
    expect(observed.status?.availableReplicas).toBeUndefined();
    expect(condition(observed, 'Available')).toMatchObject({
      status: 'False',
      reason: 'MinimumReplicasUnavailable',
    });
    expect(condition(observed, 'Progressing')).toMatchObject({
      status: 'True',
      reason: 'ReplicaSetUpdated',
      message: `ReplicaSet "${replicaSetName(observed)}" is progressing.`,
    });

    emu.scenarios.engine.runFor(5000);
    const available = await read();
    expect(available.status).toMatchObject({
      observedGeneration: 1,
      replicas: 2,
      updatedReplicas: 2,
      readyReplicas: 2,
      availableReplicas: 2,
    });
    expect(available.status?.unavailableReplicas).toBeUndefined();
    expect(condition(available, 'Available')).toMatchObject({
      status: 'True',
      reason: 'MinimumReplicasAvailable',
    });
    expect(condition(available, 'Progressing')).toMatchObject({
      status: 'True',
      reason: 'NewReplicaSetAvailable',
      message: `ReplicaSet "${replicaSetName(
        available,
      )}" has successfully progressed.`,
    });
  });

  it('rolls out a new generation while the old Pods stay available', async () => {
    const before = await read();
    await apps.replaceNamespacedDeployment({
      name: 'controller',
      namespace: 'default',
      body: {
        ...deployment('registry.k8s.io/kueue/kueue:v0.19.3', 2),
        metadata: {
          name: 'controller',
          namespace: 'default',
          resourceVersion: before.metadata?.resourceVersion,
        },
      } as any,
    });
    emu.scenarios.engine.runFor(0);
    const rolling = await read();
    expect(rolling.metadata?.generation).toBe(2);
    expect(rolling.status).toMatchObject({
      observedGeneration: 2,
      replicas: 4,
      updatedReplicas: 2,
      availableReplicas: 2,
    });
    expect(condition(rolling, 'Available')?.status).toBe('True');
    expect(condition(rolling, 'Progressing')?.reason).toBe('ReplicaSetUpdated');
    expect(replicaSetName(rolling)).not.toBe(replicaSetName(before));

    emu.scenarios.engine.runFor(5000);
    expect((await read()).status).toMatchObject({
      observedGeneration: 2,
      replicas: 2,
      updatedReplicas: 2,
      availableReplicas: 2,
    });
  });

  it('treats an unset spec.replicas as one and leaves status-only writes alone', async () => {
    await apps.deleteNamespacedDeployment({
      name: 'controller',
      namespace: 'default',
    });
    await apps.createNamespacedDeployment({
      namespace: 'default',
      body: deployment('registry.k8s.io/kueue/kueue:v0.19.2') as any,
    });
    emu.scenarios.engine.runFor(5000);
    const ready = await read();
    expect(ready.status).toMatchObject({
      observedGeneration: 1,
      replicas: 1,
      availableReplicas: 1,
    });
    const flowsBefore = emu.scenarios.engine.pending;
    emu.scenarios.engine.runFor(10_000);
    expect(emu.scenarios.engine.pending).toBe(flowsBefore);
    expect((await read()).metadata?.resourceVersion).toBe(
      ready.metadata?.resourceVersion,
    );
  });
});
