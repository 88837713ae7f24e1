import fs from 'node:fs/promises';
import path from 'node:path';
import {
  IPV4_CIDR_PATTERN,
  stackNames,
  type GpuStackSpec,
} from '@gpu-platform/backstage-plugin-gpu-cluster-common';
import { object } from './meta';
import { serializeManifest } from './serialize';
import type { KubeObject } from './types';

/**
 * Filestore shares mounted in the pods, as seed 004 mounts each NFS_FILESHARE_LIST share on every
 * VM. Terraform creates the instances; their IP address exists only once they do, so the
 * PersistentVolumes are written after Terraform from its `filestore_shares` output (static
 * provisioning through the GKE Filestore CSI driver, "Access pre-existing Filestore instances").
 * The claims' names are known up front, so the Ray pods reference them at render time.
 */

/** The manifest written after Terraform (applied before the queues and Ray). @public */
export const FILESTORE_VOLUMES_FILE = '45-filestore-volumes.yaml';

/** The share name of every instance (the Terraform module's `share_name` default). @public */
export const FILESTORE_SHARE_NAME = 'share';

/** Zonal tiers live in the first zone; ENTERPRISE (and REGIONAL) instances are regional. */
const REGIONAL_FILESTORE_TIERS = new Set(['ENTERPRISE', 'REGIONAL']);

/** Location of Filestore share `index` (the zone or region Terraform creates it in). @public */
export function filestoreLocation(spec: GpuStackSpec, index: number): string {
  return REGIONAL_FILESTORE_TIERS.has(spec.storage.filestore[index].tier)
    ? spec.identity.region
    : spec.identity.zones[0];
}

/** Namespaces whose pods mount the shares: Ray's and the queue's (jobs). */
export function filestoreNamespaces(spec: GpuStackSpec): string[] {
  return [
    ...new Set([
      ...(spec.ray.enabled ? [spec.ray.namespace] : []),
      ...(spec.kueue.enabled ? [spec.kueue.namespace] : []),
    ]),
  ];
}

/** Claim name of share `index` (the Filestore instance name). @public */
export function filestoreClaimName(spec: GpuStackSpec, index: number): string {
  return stackNames(spec).filestoreInstances[index];
}

/** Pod volumes and mounts of the shares (by claim; the claims live in the pod's namespace). */
export function filestorePodVolumes(spec: GpuStackSpec) {
  return {
    volumes: spec.storage.filestore.map((_, i) => ({
      name: `nfs-${i}`,
      persistentVolumeClaim: { claimName: filestoreClaimName(spec, i) },
    })),
    mounts: spec.storage.filestore.map((share, i) => ({
      name: `nfs-${i}`,
      mountPath: share.mountPath,
    })),
  };
}

/** What Terraform reports about one instance (`filestore_shares` output). @public */
export interface FilestoreShareAddress {
  ip: string;
  share: string;
}

/** RFC 1918 or RFC 6598 (100.64/10), the ranges a Filestore instance is reachable on. */
function isPrivateIpv4(ip: string): boolean {
  const octets = ip.split('.').map(Number);
  if (
    octets.length !== 4 ||
    octets.some(o => !Number.isInteger(o) || o < 0 || o > 255)
  )
    return false;
  const [a, b] = octets;
  return (
    a === 10 ||
    (a === 172 && b >= 16 && b <= 31) ||
    (a === 192 && b === 168) ||
    (a === 100 && b >= 64 && b <= 127)
  );
}

/**
 * Reads the `filestore_shares` output of `terraform output -json` (instance name → ip, share).
 * @public
 */
export function filestoreSharesFromOutputs(
  outputs: Record<string, { value?: unknown } | undefined>,
): Record<string, FilestoreShareAddress> {
  const value = outputs.filestore_shares?.value;
  if (!value || typeof value !== 'object') return {};
  const shares: Record<string, FilestoreShareAddress> = {};
  for (const [name, entry] of Object.entries(value as Record<string, any>)) {
    shares[name] = { ip: String(entry?.ip ?? ''), share: String(entry?.share) };
  }
  return shares;
}

/**
 * A PersistentVolume + PersistentVolumeClaim per share and namespace (ReadWriteMany, pre-bound,
 * Retain: deleting the claim never deletes data; the instance goes with Terraform).
 * @public
 */
export function renderFilestoreVolumes(
  spec: GpuStackSpec,
  shares: Record<string, FilestoreShareAddress>,
): KubeObject[] {
  return spec.storage.filestore.flatMap((share, i) => {
    const instance = filestoreClaimName(spec, i);
    const address = shares[instance];
    if (!address || !IPV4_CIDR_PATTERN.test(`${address.ip}/32`)) {
      throw new Error(
        `Filestore instance ${instance} has no IP address in the Terraform output filestore_shares (got ${JSON.stringify(
          address?.ip ?? null,
        )}): apply the Terraform stack first`,
      );
    }
    // The addresses come from Terraform's outputs, carried by the template to the kubectl step:
    // a Filestore instance serves on a private VPC address and its share name follows
    // Filestore's rules (https://cloud.google.com/filestore/docs/reference/rest/v1/projects.locations.instances#FileShareConfig).
    if (!/^[A-Za-z][A-Za-z0-9_]{0,31}$/.test(address.share)) {
      throw new Error(
        `Filestore instance ${instance}: ${JSON.stringify(
          address.share,
        )} is not a file share name`,
      );
    }
    if (!isPrivateIpv4(address.ip)) {
      throw new Error(
        `Filestore instance ${instance}: ${JSON.stringify(
          address.ip,
        )} is not a private VPC address`,
      );
    }
    const storage = `${share.capacityGb}G`;
    return filestoreNamespaces(spec).flatMap(namespace => {
      const volumeName = `${instance}-${namespace}`;
      return [
        object(
          spec,
          'storage',
          'v1',
          'PersistentVolume',
          { name: volumeName },
          {
            spec: {
              storageClassName: '',
              capacity: { storage },
              accessModes: ['ReadWriteMany'],
              persistentVolumeReclaimPolicy: 'Retain',
              volumeMode: 'Filesystem',
              csi: {
                driver: 'filestore.csi.storage.gke.io',
                volumeHandle: `modeInstance/${filestoreLocation(
                  spec,
                  i,
                )}/${instance}/${address.share}`,
                volumeAttributes: { ip: address.ip, volume: address.share },
              },
              claimRef: { namespace, name: instance },
            },
          },
        ),
        object(
          spec,
          'storage',
          'v1',
          'PersistentVolumeClaim',
          { name: instance, namespace },
          {
            spec: {
              storageClassName: '',
              volumeName,
              accessModes: ['ReadWriteMany'],
              resources: { requests: { storage } },
            },
          },
        ),
      ];
    });
  });
}

/**
 * Writes {@link FILESTORE_VOLUMES_FILE} into `manifestsDir` from Terraform's outputs; nothing when
 * the spec has no Filestore shares. Returns the file written.
 * @public
 */
export async function writeFilestoreVolumes(
  spec: GpuStackSpec,
  outputs: Record<string, { value?: unknown } | undefined>,
  manifestsDir: string,
): Promise<string | undefined> {
  if (spec.storage.filestore.length === 0) return undefined;
  const objects = renderFilestoreVolumes(
    spec,
    filestoreSharesFromOutputs(outputs),
  );
  const file = path.join(manifestsDir, FILESTORE_VOLUMES_FILE);
  await fs.mkdir(manifestsDir, { recursive: true });
  await fs.writeFile(file, serializeManifest(objects), 'utf8');
  return file;
}
