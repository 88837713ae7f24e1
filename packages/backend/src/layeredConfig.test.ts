/*
 * app-config.production.yaml is layered on app-config.yaml. The embedded default points GKE, the
 * terraform provider and credentials at the local emulators; none of that may survive the layering
 * into production, whatever the environment.
 */
import { ConfigReader } from '@backstage/config';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parse } from 'yaml';

const repoRoot = resolve(__dirname, '../../..');
const read = (file: string) =>
  parse(readFileSync(join(repoRoot, file), 'utf8'));

/** The files as Backstage layers them (later wins; null removes what an earlier file set). */
const layered = (...files: string[]) =>
  ConfigReader.fromConfigs(
    files.map(file => ({ context: file, data: read(file) })),
  );

describe('the embedded default and production, layered', () => {
  it('the embedded default reaches GKE, terraform and clusters through the emulators', () => {
    const config = layered('app-config.yaml');
    expect(config.getString('gpuCluster.discovery')).toBe('gke');
    expect(config.getString('gpuCluster.kubectl.credentials')).toBe('gke');
    expect(config.getString('gpuCluster.gke.endpoint.host')).toBe('127.0.0.1');
    expect(config.getString('gpuCluster.preflight.endpoint.url')).toBe(
      'http://127.0.0.1:8990',
    );
    expect(
      config.getString(
        'gpuCluster.terraform.env.TF_SCHEMA_PROVIDER_GKE_ENDPOINT',
      ),
    ).toBe('127.0.0.1:8443');
    // Terraform state in the policy's bucket, as in production, held by the Cloud Storage
    // emulator (scripts/start.sh and playwright.config.ts start it on :4443).
    expect(config.getString('gpuCluster.terraform.backend')).toBe('gcs');
    expect(
      config.getString('gpuCluster.terraform.env.STORAGE_EMULATOR_HOST'),
    ).toBe('http://127.0.0.1:4443');
    expect(config.has('gpuCluster.terraform.localStateDirectory')).toBe(false);
    // Created clusters are discovered, not configured by a kubeconfig on disk.
    expect(config.has('gpuCluster.kubectl.kubeconfigPath')).toBe(false);
  });

  it('production keeps none of the emulator settings', () => {
    const config = layered('app-config.yaml', 'app-config.production.yaml');
    expect(config.has('gpuCluster.gke.endpoint')).toBe(false);
    expect(config.has('gpuCluster.preflight.endpoint')).toBe(false);
    expect(config.has('gpuCluster.terraform.env')).toBe(false);
    expect(config.has('gpuCluster.terraform.env.STORAGE_EMULATOR_HOST')).toBe(
      false,
    );
    expect(config.has('gpuCluster.kubectl.env')).toBe(false);
    expect(config.getConfigArray('gpuCluster.clusters')).toEqual([]);
    expect(config.getString('gpuCluster.discovery')).toBe('gke');
    expect(config.getString('gpuCluster.kubectl.credentials')).toBe('gke');
    expect(config.getString('gpuCluster.terraform.backend')).toBe('gcs');
  });
});
