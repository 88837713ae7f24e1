import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { assertGpuStackSpec } from '@gpu-platform/backstage-plugin-gpu-cluster-common';
import {
  FILESTORE_VOLUMES_FILE,
  manifestApplyPlan,
  renderFilestoreVolumes,
  renderManifests,
  writeFilestoreVolumes,
} from '.';
import { renderTfvars } from '../terraform';

const spec = assertGpuStackSpec({
  identity: {
    projectId: 'gpu-launchpad-playground',
    namePrefix: 'a3u-dws',
    owner: 'group:default/ml-platform',
  },
  ray: { namespace: 'ray-system' },
  kueue: { namespace: 'ml-jobs' },
  workloadIdentity: { namespace: 'ray-system' },
  storage: {
    filestore: [
      { mountPath: '/usr/nfsshare1', tier: 'BASIC_SSD' },
      { mountPath: '/shared', tier: 'ENTERPRISE', capacityGb: 1024 },
    ],
  },
});

/** `terraform output -json` after apply (the storage module's filestore_shares). */
const outputs = {
  filestore_shares: {
    value: {
      'a3u-dws-nfs-0': { ip: '10.90.0.2', share: 'share' },
      'a3u-dws-nfs-1': { ip: '10.90.0.10', share: 'share' },
    },
  },
};

describe('Filestore shares are mounted in the pods (seed 004 NFS_FILESHARE_LIST)', () => {
  it('mounts each share in the Ray head and workers through its claim', () => {
    const ray = renderManifests(spec)
      .flatMap(f => f.objects)
      .find(o => o.kind === 'RayCluster') as any;
    for (const template of [
      ray.spec.headGroupSpec.template,
      ray.spec.workerGroupSpecs[0].template,
    ]) {
      expect(template.spec.volumes).toEqual(
        expect.arrayContaining([
          {
            name: 'nfs-0',
            persistentVolumeClaim: { claimName: 'a3u-dws-nfs-0' },
          },
          {
            name: 'nfs-1',
            persistentVolumeClaim: { claimName: 'a3u-dws-nfs-1' },
          },
        ]),
      );
      expect(template.spec.containers[0].volumeMounts).toEqual(
        expect.arrayContaining([
          { name: 'nfs-0', mountPath: '/usr/nfsshare1' },
          { name: 'nfs-1', mountPath: '/shared' },
        ]),
      );
    }
  });

  it('binds a Filestore CSI volume to a claim in the Ray and the job namespace', () => {
    const objects = renderFilestoreVolumes(spec, {
      'a3u-dws-nfs-0': { ip: '10.90.0.2', share: 'share' },
      'a3u-dws-nfs-1': { ip: '10.90.0.10', share: 'share' },
    }) as any[];
    expect(
      objects.map(
        o => `${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`,
      ),
    ).toEqual([
      'PersistentVolume//a3u-dws-nfs-0-ray-system',
      'PersistentVolumeClaim/ray-system/a3u-dws-nfs-0',
      'PersistentVolume//a3u-dws-nfs-0-ml-jobs',
      'PersistentVolumeClaim/ml-jobs/a3u-dws-nfs-0',
      'PersistentVolume//a3u-dws-nfs-1-ray-system',
      'PersistentVolumeClaim/ray-system/a3u-dws-nfs-1',
      'PersistentVolume//a3u-dws-nfs-1-ml-jobs',
      'PersistentVolumeClaim/ml-jobs/a3u-dws-nfs-1',
    ]);
    const tfvars = renderTfvars(spec) as any;
    expect(objects[0].spec).toMatchObject({
      accessModes: ['ReadWriteMany'],
      persistentVolumeReclaimPolicy: 'Retain',
      capacity: { storage: '2560G' },
      csi: {
        driver: 'filestore.csi.storage.gke.io',
        // The instance Terraform creates: same name, location and share.
        volumeHandle: `modeInstance/${tfvars.storage.filestore[0].location}/${tfvars.storage.filestore[0].name}/${tfvars.storage.filestore[0].share_name}`,
        volumeAttributes: { ip: '10.90.0.2', volume: 'share' },
      },
      claimRef: { namespace: 'ray-system', name: 'a3u-dws-nfs-0' },
    });
    expect(objects[4].spec.csi.volumeHandle).toBe(
      'modeInstance/us-central1/a3u-dws-nfs-1/share',
    );
    expect(objects[1].spec).toEqual({
      storageClassName: '',
      volumeName: 'a3u-dws-nfs-0-ray-system',
      accessModes: ['ReadWriteMany'],
      resources: { requests: { storage: '2560G' } },
    });
  });

  it('is written after Terraform from its outputs and applied before the queues and Ray', async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'filestore-'));
    try {
      const file = await writeFilestoreVolumes(spec, outputs, dir);
      expect(file).toBe(path.join(dir, FILESTORE_VOLUMES_FILE));
      const docs = parseAllDocuments(await fs.readFile(file!, 'utf8')).map(d =>
        d.toJSON(),
      );
      expect(docs).toHaveLength(8);
      const plan = manifestApplyPlan(spec).map(s =>
        s.type === 'manifest' ? s.path : s.type,
      );
      expect(plan.indexOf(FILESTORE_VOLUMES_FILE)).toBeGreaterThan(
        plan.indexOf('40-workload-identity.yaml'),
      );
      expect(plan.indexOf(FILESTORE_VOLUMES_FILE)).toBeLessThan(
        plan.indexOf('60-ray-cluster.yaml'),
      );
      expect(
        manifestApplyPlan(spec).find(
          s => s.type === 'manifest' && s.path === FILESTORE_VOLUMES_FILE,
        ),
      ).toMatchObject({ fromTerraformOutputs: true });
    } finally {
      await fs.rm(dir, { recursive: true, force: true });
    }
  });

  it('refuses to write volumes without an instance IP', async () => {
    await expect(
      writeFilestoreVolumes(
        spec,
        { filestore_shares: { value: { 'a3u-dws-nfs-0': { ip: null } } } },
        os.tmpdir(),
      ),
    ).rejects.toThrow(
      'Filestore instance a3u-dws-nfs-0 has no IP address in the Terraform output filestore_shares (got "")',
    );
  });

  it.each([
    [
      'a public address',
      { ip: '8.8.8.8', share: 'share' },
      /not a private VPC address/,
    ],
    [
      'a host name',
      { ip: 'nfs.example.com', share: 'share' },
      /has no IP address/,
    ],
    [
      'a share name with a path',
      { ip: '10.90.0.2', share: '../etc' },
      /not a file share name/,
    ],
  ])(
    'refuses %s for a share (the addresses travel through the template)',
    (_, address, message) => {
      expect(() =>
        renderFilestoreVolumes(spec, {
          'a3u-dws-nfs-0': address,
          'a3u-dws-nfs-1': { ip: '10.90.0.10', share: 'share' },
        }),
      ).toThrow(message);
    },
  );
});
