import { assertGpuStackSpec, gpuQuotaMetric, stackGpuQuota } from '..';

const identity = {
  projectId: 'ml-research-1',
  namePrefix: 'research',
  owner: 'group:default/ml',
};

describe('GPU quota of a stack', () => {
  it('draws DWS (queued and flex-start) and Spot from the preemptible quota, on-demand from the standard one', () => {
    const spec = assertGpuStackSpec({
      identity: { ...identity, zones: ['us-central1-a'] },
      nodePools: [
        { name: 'dws', machineType: 'a3-highgpu-8g', maxNodes: 2 },
        {
          name: 'flex',
          machineType: 'a3-highgpu-8g',
          maxNodes: 1,
          provisioning: { mode: 'flex-start' },
        },
        {
          name: 'l4',
          machineType: 'g2-standard-24',
          maxNodes: 3,
          provisioning: { mode: 'spot' },
        },
        {
          name: 'od',
          machineType: 'a2-highgpu-1g',
          maxNodes: 5,
          provisioning: { mode: 'on-demand' },
        },
      ],
      ray: { workerGroups: [{ nodePool: 'l4' }] },
    });
    expect(stackGpuQuota(spec)).toEqual([
      {
        region: 'us-central1',
        metric: 'PREEMPTIBLE_NVIDIA_H100_GPUS',
        pool: 'preemptible',
        gpus: 24,
        nodePools: ['dws', 'flex'],
      },
      {
        region: 'us-central1',
        metric: 'PREEMPTIBLE_NVIDIA_L4_GPUS',
        pool: 'preemptible',
        gpus: 6,
        nodePools: ['l4'],
      },
      {
        region: 'us-central1',
        metric: 'NVIDIA_A100_GPUS',
        pool: 'on-demand',
        gpus: 5,
        nodePools: ['od'],
      },
    ]);
  });

  it('counts every Compute Class tier and marks reservation pools', () => {
    const spec = assertGpuStackSpec({
      identity,
      nodePools: [
        {
          name: 'ccc',
          machineType: 'a3-ultragpu-8g',
          maxNodes: 2,
          provisioning: {
            mode: 'compute-class',
            computeClass: { tiers: ['spot', 'on-demand'] },
          },
        },
        {
          name: 'resv',
          machineType: 'a3-ultragpu-8g',
          maxNodes: 1,
          provisioning: { mode: 'reservation', reservation: { name: 'r1' } },
        },
      ],
      kueue: { enabled: true },
    });
    expect(
      stackGpuQuota(spec).map(n => [n.metric, n.pool, n.gpus, n.nodePools]),
    ).toEqual([
      ['PREEMPTIBLE_NVIDIA_H200_GPUS', 'preemptible', 16, ['ccc-spot']],
      ['NVIDIA_H200_GPUS', 'on-demand', 16, ['ccc-od']],
      ['NVIDIA_H200_GPUS', 'reservation', 8, ['resv']],
    ]);
  });

  it('names metrics per GPU model', () => {
    expect(gpuQuotaMetric('nvidia-b200', 'preemptible')).toBe(
      'PREEMPTIBLE_NVIDIA_B200_GPUS',
    );
    expect(gpuQuotaMetric('nvidia-h100-mega-80gb', 'on-demand')).toBe(
      'NVIDIA_H100_MEGA_GPUS',
    );
  });
});
