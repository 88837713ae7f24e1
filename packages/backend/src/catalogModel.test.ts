/*
 * Keeps catalog-info.yaml and app-config.yaml true to the repository: every package on disk is
 * a Component owned by platform-team, the org structure is whole, and the guest sign-in lands
 * in a group so ownership filters work on the embedded default.
 */
import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
import { ConfigReader } from '@backstage/config';
import {
  GPU_CLUSTER_ANNOTATIONS,
  GPU_COMPONENT_ANNOTATIONS,
} from '@gpu-platform/backstage-plugin-gpu-cluster-common';
import { DEMO } from '@gpu-platform/emulators';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parse, parseAllDocuments } from 'yaml';

const repoRoot = resolve(__dirname, '../../..');
const entities: Entity[] = parseAllDocuments(
  readFileSync(join(repoRoot, 'catalog-info.yaml'), 'utf8'),
).map(doc => doc.toJS());
const appConfig = parse(
  readFileSync(join(repoRoot, 'app-config.yaml'), 'utf8'),
);
const production = parse(
  readFileSync(join(repoRoot, 'app-config.production.yaml'), 'utf8'),
);

const find = (kind: string, name: string) =>
  entities.find(e => e.kind === kind && e.metadata.name === name);

function packageDirs(): string[] {
  return ['plugins', 'packages'].flatMap(parent =>
    readdirSync(join(repoRoot, parent), { withFileTypes: true })
      .filter(d => d.isDirectory())
      .map(d => `${parent}/${d.name}`)
      .filter(dir => existsSync(join(repoRoot, dir, 'package.json'))),
  );
}

describe('catalog-info.yaml', () => {
  it('has a Component owned by platform-team for every package', () => {
    const dirs = packageDirs();
    expect(dirs).toEqual(
      expect.arrayContaining(['plugins/gpu-cluster-common']),
    );
    for (const dir of dirs) {
      const component = entities.find(
        e =>
          e.kind === 'Component' &&
          e.metadata.annotations?.['backstage.io/source-location'] ===
            `dir:./${dir}`,
      );
      expect({ dir, found: Boolean(component) }).toEqual({ dir, found: true });
      expect(component!.spec).toMatchObject({
        owner: 'group:default/platform-team',
        system: 'gpu-platform',
      });
    }
  });

  it('places platform-team under an organization group and owns the system', () => {
    const team = find('Group', 'platform-team');
    expect(team?.spec).toMatchObject({ type: 'team', parent: 'engineering' });
    expect(find('Group', 'engineering')?.spec).toMatchObject({
      type: 'organization',
      children: ['platform-team'],
    });
    expect(find('System', 'gpu-platform')?.spec?.owner).toBe(
      'group:default/platform-team',
    );
  });

  it('leaves the software templates to the scaffolder module (no Location of its own)', () => {
    expect(entities.filter(e => e.kind === 'Location')).toEqual([]);
  });
});

describe('app-config.yaml', () => {
  it('loads catalog-info.yaml, whose rules allow every kind the platform uses', () => {
    const location = appConfig.catalog.locations.find(
      (l: { target: string }) => l.target === '../../catalog-info.yaml',
    );
    const allowed = location.rules.flatMap(
      (rule: { allow: string[] }) => rule.allow,
    );
    expect(allowed).toEqual(
      expect.arrayContaining([
        'Template',
        'Resource',
        'Group',
        'User',
        'System',
        'Component',
        'API',
        'Location',
      ]),
    );
  });

  it.each([
    ['app-config.yaml', appConfig],
    [
      'app-config.production.yaml',
      // Merged as the backend merges them (arrays of the later file replace the earlier).
      ConfigReader.fromConfigs([
        { data: appConfig, context: 'app-config.yaml' },
        { data: production, context: 'app-config.production.yaml' },
      ]).get() as any,
    ],
  ])(
    '%s: locations users register cannot bring users, groups, templates or locations',
    (_file, config) => {
      const global = config.catalog.rules.flatMap(
        (rule: { allow: string[]; locations?: unknown }) =>
          rule.locations ? [] : rule.allow,
      );
      for (const kind of ['User', 'Group', 'Template', 'Location']) {
        expect(global).not.toContain(kind);
      }
      expect(global).toContain('Resource');
      // Every configured location says what it may hold.
      for (const location of config.catalog.locations) {
        expect(location.rules?.length).toBeGreaterThan(0);
      }
    },
  );

  it('signs the guest in as a catalog user who belongs to platform-team', () => {
    const guestRef = appConfig.auth.providers.guest.userEntityRef;
    const guest = entities.find(
      e => e.kind === 'User' && stringifyEntityRef(e) === guestRef,
    );
    expect(guest?.spec?.memberOf).toContain('platform-team');
  });
});

describe('the emulated demo cluster entity', () => {
  const demoFile = 'packages/emulators/catalog/demo-cluster.yaml';
  const [cluster, component]: Entity[] = parseAllDocuments(
    readFileSync(join(repoRoot, demoFile), 'utf8'),
  ).map(doc => doc.toJS());

  it('is loaded by the embedded default only', () => {
    expect(appConfig.catalog.locations).toContainEqual({
      type: 'file',
      target: `../../${demoFile}`,
      rules: [{ allow: ['Resource', 'Component'] }],
    });
    expect(JSON.stringify(production)).not.toContain('emulators');
  });

  it('comes with a Component running on it, scoped to its namespace and LocalQueue', () => {
    const ref = `resource:default/${DEMO.cluster}`;
    expect(component.kind).toBe('Component');
    expect(component.spec?.dependsOn).toEqual([ref]);
    expect(component.metadata.annotations).toEqual({
      [GPU_COMPONENT_ANNOTATIONS.cluster]: ref,
      [GPU_COMPONENT_ANNOTATIONS.namespace]: DEMO.queueNamespace,
      [GPU_COMPONENT_ANNOTATIONS.localQueue]: DEMO.localQueue,
    });
  });

  it('is a kubernetes-cluster Resource owned by platform-team', () => {
    expect(cluster.kind).toBe('Resource');
    expect(cluster.spec).toMatchObject({
      type: 'kubernetes-cluster',
      owner: 'group:default/platform-team',
      system: 'gpu-platform',
    });
  });

  it("names what the emulators' demo fixture serves", () => {
    const annotations = cluster.metadata.annotations!;
    expect(cluster.metadata.name).toBe(DEMO.cluster);
    expect(annotations).toMatchObject({
      [GPU_CLUSTER_ANNOTATIONS.projectId]: DEMO.project,
      [GPU_CLUSTER_ANNOTATIONS.location]: DEMO.region,
      [GPU_CLUSTER_ANNOTATIONS.clusterName]: DEMO.cluster,
      [GPU_CLUSTER_ANNOTATIONS.nodePools]: DEMO.nodePool,
      [GPU_CLUSTER_ANNOTATIONS.kueueClusterQueue]: DEMO.clusterQueue,
      [GPU_CLUSTER_ANNOTATIONS.kueueLocalQueue]: DEMO.localQueue,
      [GPU_CLUSTER_ANNOTATIONS.kueueNamespace]: DEMO.queueNamespace,
      [GPU_CLUSTER_ANNOTATIONS.rayCluster]: DEMO.rayCluster,
      [GPU_CLUSTER_ANNOTATIONS.rayNamespace]: DEMO.rayNamespace,
      [GPU_CLUSTER_ANNOTATIONS.rdmaNetworks]: DEMO.rdmaNetworks.join(','),
    });
    // The backend's kubernetes config points at the same cluster name.
    const clusters = appConfig.kubernetes.clusterLocatorMethods.flatMap(
      (method: { clusters?: { name: string }[] }) => method.clusters ?? [],
    );
    expect(clusters.map((c: { name: string }) => c.name)).toContain(
      annotations['backstage.io/kubernetes-cluster'],
    );
  });
});

describe('app-config.production.yaml', () => {
  it('locates Kubernetes clusters from config only, never from catalog annotations', () => {
    const methods = production.kubernetes.clusterLocatorMethods as {
      type: string;
    }[];
    expect(methods.map(m => m.type)).not.toContain('catalog');
    expect(methods.map(m => m.type)).toEqual(['config']);
  });

  it('denies GPU cluster creation until a deployer lists groups, and reads status with its own identity', () => {
    expect(production.gpuCluster.policy).toEqual({
      adminGroups: [],
      groups: [],
    });
    expect(production.gpuCluster.discoveryAllowList).toEqual([]);
    expect(
      production.gpuCluster.statusCredentials.impersonateServiceAccount,
    ).toBeDefined();
  });
});
