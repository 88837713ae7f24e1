import plugin from './alpha';
import { isGpuCluster } from './isGpuCluster';

describe('gpu-cluster alpha plugin', () => {
  it('is a frontend plugin with id gpu-cluster', () => {
    expect(plugin.$$type).toBe('@backstage/FrontendPlugin');
    expect(plugin.id).toBe('gpu-cluster');
  });

  it('provides the "Create GPU cluster" form fields to the scaffolder', () => {
    for (const name of [
      'gpu-stack-section',
      'gpu-node-pools',
      'gpu-stack-review',
    ]) {
      const extension = (plugin as any).getExtension(
        `scaffolder-form-field:gpu-cluster/${name}`,
      );
      expect(extension.attachTo).toEqual({
        id: 'api:scaffolder/form-fields',
        input: 'formFields',
      });
    }
  });

  it('loads the form fields lazily', async () => {
    const fields = await import('./scaffolder/formFields');
    expect(
      [
        fields.gpuStackSectionFormField,
        fields.gpuNodePoolsFormField,
        fields.gpuStackReviewFormField,
      ].map(f => f.$$type),
    ).toEqual(Array(3).fill('@backstage/scaffolder/FormField'));
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
