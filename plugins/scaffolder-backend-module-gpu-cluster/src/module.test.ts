import fs from 'node:fs/promises';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import scaffolderPlugin from '@backstage/plugin-scaffolder-backend';
import { parse } from 'yaml';
import { scaffolderModuleGpuCluster } from './module';
import { TEMPLATE_PATH } from './template/templatePath';
import { VALUES } from './__testUtils__/actionContext';

const templateDir = path.resolve(__dirname, '..', path.dirname(TEMPLATE_PATH));

/** The template directory as the dry-run API takes it (base64 file contents). */
async function directoryContents(dir: string, prefix = '') {
  const out: { path: string; base64Content: string }[] = [];
  for (const entry of await fs.readdir(path.join(dir, prefix), {
    withFileTypes: true,
  })) {
    const rel = path.posix.join(prefix, entry.name);
    if (entry.name === '.terraform' || entry.name === 'template.yaml') continue;
    if (entry.isDirectory()) out.push(...(await directoryContents(dir, rel)));
    else
      out.push({
        path: rel,
        base64Content: (await fs.readFile(path.join(dir, rel))).toString(
          'base64',
        ),
      });
  }
  return out;
}

describe('the template through the real scaffolder backend (dry run)', () => {
  it('validates, copies the skeleton, renders, skips what cannot dry-run, and writes the entity', async () => {
    const { server } = await startTestBackend({
      features: [
        scaffolderPlugin,
        scaffolderModuleGpuCluster,
        catalogServiceMock.factory(),
        mockServices.rootConfig.factory({
          data: {
            backend: {
              baseUrl: 'http://127.0.0.1',
              listen: { host: '127.0.0.1' },
            },
            gpuCluster: { terraform: { planInDryRun: false } },
          },
        }),
      ],
    });
    try {
      const { port } = server.address() as AddressInfo;
      const base = `http://127.0.0.1:${port}/api/scaffolder`;
      const headers = {
        'content-type': 'application/json',
        authorization: mockCredentials.user.header(),
      };

      const actions = await fetch(`${base}/v2/actions`, { headers });
      expect(actions.status).toBe(200);
      const ids = ((await actions.json()) as { id: string }[]).map(a => a.id);
      expect(ids).toEqual(
        expect.arrayContaining([
          'gpu-cluster:spec:validate',
          'gpu-cluster:stack:render',
          'gpu-cluster:terraform:apply',
          'gpu-cluster:kubectl:apply',
          'gpu-cluster:catalog:register',
        ]),
      );

      const template = parse(
        await fs.readFile(path.join(templateDir, 'template.yaml'), 'utf8'),
      );
      const response = await fetch(`${base}/v2/dry-run`, {
        method: 'POST',
        headers,
        body: JSON.stringify({
          template,
          values: VALUES,
          secrets: {},
          directoryContents: await directoryContents(templateDir),
        }),
      });
      const body = (await response.json()) as any;
      expect({ status: response.status, error: body.error }).toEqual({
        status: 200,
        error: undefined,
      });
      const log = body.log
        .map((l: any) => l.body?.message)
        .filter(Boolean)
        .join('\n');
      expect(log).not.toMatch(/failed/i);
      expect(log).toContain('GPU stack spec is valid: cluster e2e-gke');
      expect(log).toContain('terraform plan is disabled');
      expect(log).toMatch(
        /Skipping because gpu-cluster:kubectl:apply does not support dry-run/,
      );
      expect(log).toContain('Dry run: resource:default/e2e-gke written');
      const files = new Map<string, string>(
        body.directoryContents.map((f: any) => [
          f.path,
          Buffer.from(f.base64Content, 'base64').toString('utf8'),
        ]),
      );
      expect(files.has('terraform/main.tf')).toBe(true);
      expect(
        JSON.parse(files.get('terraform/terraform.tfvars.json')!).project_id,
      ).toBe('e2e-project-1');
      expect(files.has('manifests/apply-plan.json')).toBe(true);
      expect(parse(files.get('catalog-info.yaml')!)).toMatchObject({
        kind: 'Resource',
        spec: {
          type: 'kubernetes-cluster',
          owner: 'group:default/ml-platform',
        },
      });
      expect(body.output.links).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ entityRef: 'resource:default/e2e-gke' }),
          expect.objectContaining({
            title: 'GKE console',
            url: expect.stringContaining('/us-central1/e2e-gke/'),
          }),
        ]),
      );

      // The scaffolder checks values against the spec-derived parameters before any step runs.
      const rejected = await fetch(`${base}/v2/dry-run`, {
        method: 'POST',
        headers,
        body: JSON.stringify({
          template,
          values: {
            identity: { ...VALUES.identity, namePrefix: 'e2e;reboot' },
          },
          secrets: {},
          directoryContents: await directoryContents(templateDir),
        }),
      });
      const rejectedBody = (await rejected.json()) as any;
      expect(rejected.status).toBe(400);
      expect(rejectedBody.errors).toEqual([
        expect.objectContaining({
          path: ['identity', 'namePrefix'],
          instance: 'e2e;reboot',
        }),
      ]);

      // Cross-field rules JSON Schema cannot express stop the run at the validate step (the
      // form's field extensions check them on Next; a call to the API meets them here).
      const invalid = await fetch(`${base}/v2/dry-run`, {
        method: 'POST',
        headers,
        body: JSON.stringify({
          template,
          values: {
            identity: { ...VALUES.identity, zones: ['europe-west4-a'] },
          },
          secrets: {},
          directoryContents: await directoryContents(templateDir),
        }),
      });
      const invalidBody = (await invalid.json()) as any;
      expect(invalid.status).toBe(400);
      expect(invalidBody.error).toMatchObject({ name: 'InputError' });
      expect(invalidBody.error.message).toContain(
        'identity.zones[0]: zone europe-west4-a is not in region us-central1',
      );
    } finally {
      await server.close?.();
    }
  });
});
