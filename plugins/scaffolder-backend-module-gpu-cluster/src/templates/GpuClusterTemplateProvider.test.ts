import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import type { SchedulerServiceTaskRunner } from '@backstage/backend-plugin-api';
import {
  catalogProcessingExtensionPoint,
  type EntityProvider,
  type EntityProviderConnection,
} from '@backstage/plugin-catalog-node';
import { catalogModuleGpuClusterTemplates } from './catalogModule';
import { GpuClusterTemplateProvider } from './GpuClusterTemplateProvider';

const repoTemplates = path.resolve(__dirname, '../../../../templates');

/** Runs the task once, at once, as the scheduler's first run would. */
const runOnce: SchedulerServiceTaskRunner = {
  run: async task => {
    await task.fn(new AbortController().signal);
  },
};

function connection() {
  const applyMutation = jest.fn();
  const conn: EntityProviderConnection = {
    applyMutation,
    refresh: jest.fn(),
  };
  return { conn, applyMutation };
}

describe('GpuClusterTemplateProvider', () => {
  it('puts every template directory of templates/ into the catalog, located at its file', async () => {
    const { conn, applyMutation } = connection();
    const provider = new GpuClusterTemplateProvider({
      logger: mockServices.logger.mock(),
      taskRunner: runOnce,
    });
    await provider.connect(conn);

    const onDisk = [];
    for (const name of (await fs.readdir(repoTemplates)).sort()) {
      const file = path.join(repoTemplates, name, 'template.yaml');
      if (await fs.stat(file).catch(() => undefined)) onDisk.push(file);
    }
    const mutation = applyMutation.mock.calls[0][0];
    expect(mutation.type).toBe('full');
    expect(mutation.entities.length).toBe(onDisk.length);
    expect(
      mutation.entities.map(
        (e: any) =>
          e.entity.metadata.annotations['backstage.io/managed-by-location'],
      ),
    ).toEqual(onDisk.map(file => `file:${file}`));
    const names = mutation.entities.map((e: any) => e.entity.metadata.name);
    expect(names).toEqual(
      expect.arrayContaining(['gke-gpu-cluster', 'gke-gpu-cluster-destroy']),
    );
    for (const { entity, locationKey } of mutation.entities) {
      expect(entity.kind).toBe('Template');
      expect(entity.spec.owner).toBe('group:default/platform-team');
      expect(locationKey).toBe('gpu-cluster-templates');
    }
  });

  describe('in a directory of its own', () => {
    let dir: string;
    beforeEach(async () => {
      dir = await fs.mkdtemp(path.join(os.tmpdir(), 'gpu-templates-'));
    });
    afterEach(() => fs.rm(dir, { recursive: true, force: true }));

    const write = async (name: string, text: string) => {
      await fs.mkdir(path.join(dir, name));
      await fs.writeFile(path.join(dir, name, 'template.yaml'), text);
    };

    it('replaces the owner when configured, skips and names a file that is not a template', async () => {
      await write(
        'good',
        'apiVersion: scaffolder.backstage.io/v1beta3\nkind: Template\nmetadata:\n  name: good\nspec:\n  owner: group:default/platform-team\n  type: service\n  steps: []\n',
      );
      await write(
        'not-a-template',
        'apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: x\n',
      );
      await fs.mkdir(path.join(dir, 'no-file'));
      const logger = mockServices.logger.mock();
      const provider = new GpuClusterTemplateProvider({
        logger,
        taskRunner: runOnce,
        directory: dir,
        owner: 'group:default/infra',
      });

      const templates = await provider.readTemplates();

      expect(templates.map(t => [t.metadata.name, t.spec?.owner])).toEqual([
        ['good', 'group:default/infra'],
      ]);
      expect(logger.error).toHaveBeenCalledWith(
        expect.stringContaining(
          `${path.join(
            dir,
            'not-a-template',
            'template.yaml',
          )} is not a software template`,
        ),
      );
    });
  });
});

describe('catalogModuleGpuClusterTemplates', () => {
  it('adds the template provider to the catalog, with the configured owner', async () => {
    const providers: EntityProvider[] = [];
    await startTestBackend({
      extensionPoints: [
        [
          catalogProcessingExtensionPoint,
          {
            addEntityProvider: (...p: any[]) => providers.push(...p.flat()),
            addProcessor: jest.fn(),
            addPlaceholderResolver: jest.fn(),
            setOnProcessingErrorHandler: jest.fn(),
          },
        ],
      ],
      features: [
        catalogModuleGpuClusterTemplates,
        mockServices.rootConfig.factory({
          data: { gpuCluster: { templates: { owner: 'group:default/infra' } } },
        }),
      ],
    });
    expect(providers.map(p => p.getProviderName())).toEqual([
      'gpu-cluster-templates',
    ]);
    const templates = await (
      providers[0] as GpuClusterTemplateProvider
    ).readTemplates();
    expect(templates.length).toBeGreaterThanOrEqual(2);
    expect(new Set(templates.map(t => t.spec?.owner))).toEqual(
      new Set(['group:default/infra']),
    );
  });
});
