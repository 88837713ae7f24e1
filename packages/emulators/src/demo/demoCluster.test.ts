import { createCrdValidator } from '../kube/validation/CrdValidator';
import { ManualClock } from '../clock';
import { demoClusterObjects } from './demoCluster';
import { DEMO } from './names';

describe('demo cluster fixture', () => {
  const objects = demoClusterObjects(new ManualClock());
  const validator = createCrdValidator();

  it('validates every CRD object against its CRD schema (strict: no unknown fields)', () => {
    const crdObjects = objects.filter(o =>
      validator.hasSchema(o.apiVersion, o.kind),
    );
    expect(crdObjects.length).toBeGreaterThan(20);
    for (const obj of crdObjects) {
      expect({
        name: `${obj.kind}/${obj.metadata.name}`,
        issues: validator.validate(obj),
      }).toEqual({ name: `${obj.kind}/${obj.metadata.name}`, issues: [] });
    }
  });

  it('matches the seed names', () => {
    const names = (kind: string) =>
      objects.filter(o => o.kind === kind).map(o => o.metadata.name);
    expect(names('Network')).toEqual(['gvnic-1', ...DEMO.rdmaNetworks]);
    expect(
      names('GKENetworkParamSet').filter(n => n.startsWith('rdma-')),
    ).toHaveLength(8);
    expect(names('DaemonSet')).toEqual(['nccl-rdma-installer']);
    expect(names('ClusterQueue')).toEqual(['dws-cluster-queue']);
    expect(names('LocalQueue')).toEqual(['dws-local-queue']);
    expect(names('AdmissionCheck')).toEqual(['dws-prov']);
    const prs = objects.filter(o => o.kind === 'ProvisioningRequest');
    const provisioned = (pr: any) =>
      pr.status.conditions.find((c: any) => c.type === 'Provisioned').status;
    expect(prs.map(provisioned).sort()).toEqual(['False', 'True']);
    const node = objects.find(o => o.kind === 'Node')!;
    expect(node.metadata.labels).toMatchObject({
      'cloud.google.com/gke-nodepool': 'h200-dws',
      'cloud.google.com/gke-accelerator': 'nvidia-h200-141gb',
      'node.kubernetes.io/instance-type': 'a3-ultragpu-8g',
      'topology.kubernetes.io/zone': 'us-central1-b',
    });
    expect(node.status.allocatable['nvidia.com/gpu']).toBe('8');
    expect(node.status.allocatable['networking.gke.io.networks/rdma-0']).toBe(
      '1',
    );
    const ray = objects.find(o => o.kind === 'RayCluster')!;
    expect(ray.metadata).toMatchObject({ name: 'ray-h200', namespace: 'ray' });
    expect(ray.status.state).toBe('ready');
    expect(
      objects.find(
        o => o.kind === 'Service' && o.metadata.name === 'ray-h200-head-svc',
      )!.spec.ports,
    ).toContainEqual(
      expect.objectContaining({ name: 'dashboard', port: 8265 }),
    );
    expect(
      objects.find(o => o.kind === 'RayJob')!.status.jobDeploymentStatus,
    ).toBe('Running');
  });
});
