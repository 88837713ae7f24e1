import plugin from './alpha';
import { isGpuCluster } from './isGpuCluster';

describe('gpu-cluster alpha plugin', () => {
  it('is a frontend plugin with id gpu-cluster', () => {
    expect(plugin.$$type).toBe('@backstage/FrontendPlugin');
    expect(plugin.id).toBe('gpu-cluster');
  });

  it('applies to cluster Resources carrying the cluster-name annotation only', () => {
    const base = {
      apiVersion: 'backstage.io/v1alpha1',
      kind: 'Resource',
      metadata: {
        name: 'c',
        annotations: { 'gpu-platform.dev/cluster-name': 'c' },
      },
      spec: { type: 'kubernetes-cluster' },
    };
    expect(isGpuCluster(base)).toBe(true);
    expect(isGpuCluster({ ...base, spec: { type: 'database' } })).toBe(false);
    expect(isGpuCluster({ ...base, metadata: { name: 'c' } })).toBe(false);
  });
});
