import fs from 'node:fs/promises';
import path from 'node:path';
import {
  resolvePackagePath,
  type LoggerService,
  type SchedulerServiceTaskRunner,
} from '@backstage/backend-plugin-api';
import {
  ANNOTATION_LOCATION,
  ANNOTATION_ORIGIN_LOCATION,
  type Entity,
} from '@backstage/catalog-model';
import type {
  EntityProvider,
  EntityProviderConnection,
} from '@backstage/plugin-catalog-node';
import { parse } from 'yaml';

const PACKAGE_NAME =
  '@gpu-platform/backstage-plugin-scaffolder-backend-module-gpu-cluster';

/**
 * Where the GPU cluster software templates are: `templates/<name>/template.yaml` inside the
 * installed package (its `prepack` copies them in). In this repository they are edited at its
 * root (`templates/`), so a checkout reads them there; the way they reach the catalog is the same.
 *
 * @public
 */
export function gpuClusterTemplatesDirectory(): string {
  return resolvePackagePath(PACKAGE_NAME, 'templates');
}

async function templatesDirectory(): Promise<string> {
  const packaged = gpuClusterTemplatesDirectory();
  if (await isDirectory(packaged)) return packaged;
  return path.resolve(packaged, '../../../templates');
}

async function isDirectory(dir: string): Promise<boolean> {
  return fs.stat(dir).then(
    stat => stat.isDirectory(),
    () => false,
  );
}

/** Options of {@link GpuClusterTemplateProvider}. @public */
export interface GpuClusterTemplateProviderOptions {
  logger: LoggerService;
  /** When to read the templates again (the first run reads them at once). */
  taskRunner: SchedulerServiceTaskRunner;
  /** Default: the package's templates (see {@link gpuClusterTemplatesDirectory}). */
  directory?: string;
  /** Replaces each template's `spec.owner` (an entity reference), e.g. the adopter's platform team. */
  owner?: string;
}

/**
 * Puts every software template this package ships (`templates/*\/template.yaml`: "Create GPU
 * cluster", "Destroy GPU cluster" and any added beside them) into the catalog, so an app that
 * installs the package needs no catalog location of its own. Only files of the package are read:
 * nothing a request or a registered entity names.
 *
 * @public
 */
export class GpuClusterTemplateProvider implements EntityProvider {
  private connection?: EntityProviderConnection;

  constructor(private readonly options: GpuClusterTemplateProviderOptions) {}

  getProviderName(): string {
    return 'gpu-cluster-templates';
  }

  async connect(connection: EntityProviderConnection): Promise<void> {
    this.connection = connection;
    await this.options.taskRunner.run({
      id: `${this.getProviderName()}:refresh`,
      fn: () => this.refresh(),
    });
  }

  /** Reads the templates and replaces what this provider put into the catalog with them. */
  async refresh(): Promise<void> {
    if (!this.connection) {
      throw new Error('GpuClusterTemplateProvider is not connected');
    }
    const entities = await this.readTemplates();
    await this.connection.applyMutation({
      type: 'full',
      entities: entities.map(entity => ({
        entity,
        locationKey: this.getProviderName(),
      })),
    });
  }

  /** Every `<directory>/<name>/template.yaml` that holds a Template; others are logged and skipped. */
  async readTemplates(): Promise<Entity[]> {
    const directory = this.options.directory ?? (await templatesDirectory());
    const names = (await fs.readdir(directory, { withFileTypes: true }))
      .filter(entry => entry.isDirectory())
      .map(entry => entry.name)
      .sort();
    const templates: Entity[] = [];
    for (const name of names) {
      const file = path.join(directory, name, 'template.yaml');
      let text: string;
      try {
        text = await fs.readFile(file, 'utf8');
      } catch {
        continue; // a directory without a template (e.g. shared files)
      }
      const entity = parse(text) as Entity | null;
      if (
        !entity ||
        entity.kind !== 'Template' ||
        !entity.apiVersion?.startsWith('scaffolder.backstage.io/') ||
        typeof entity.metadata?.name !== 'string'
      ) {
        this.options.logger.error(
          `${file} is not a software template (kind Template, apiVersion scaffolder.backstage.io/*, metadata.name); skipped`,
        );
        continue;
      }
      const location = `file:${file}`;
      templates.push({
        ...entity,
        metadata: {
          ...entity.metadata,
          annotations: {
            ...entity.metadata.annotations,
            [ANNOTATION_LOCATION]: location,
            [ANNOTATION_ORIGIN_LOCATION]: location,
          },
        },
        spec: this.options.owner
          ? { ...entity.spec, owner: this.options.owner }
          : entity.spec,
      });
    }
    return templates;
  }
}
