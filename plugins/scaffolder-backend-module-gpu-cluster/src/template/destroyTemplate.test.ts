import fs from 'node:fs';
import path from 'node:path';
import { templateEntityV1beta3Validator } from '@backstage/plugin-scaffolder-common';
import { GPU_CLUSTER_TEMPLATE_TAG } from '@gpu-platform/backstage-plugin-gpu-cluster-common';
import Ajv from 'ajv';
import { parse } from 'yaml';

const templateFile = path.resolve(
  __dirname,
  '../../../../templates/gke-gpu-cluster-destroy/template.yaml',
);
const template = parse(fs.readFileSync(templateFile, 'utf8'));

describe('templates/gke-gpu-cluster-destroy/template.yaml', () => {
  it('is a valid scaffolder.backstage.io/v1beta3 Template', async () => {
    await expect(templateEntityV1beta3Validator.check(template)).resolves.toBe(
      true,
    );
    expect(template.metadata.title).toBe('Destroy GPU cluster');
  });

  it('picks GPU clusters only and asks for the name to confirm', () => {
    const [page] = template.spec.parameters;
    expect(page.required).toEqual(['entityRef', 'confirmName']);
    expect(page.properties.entityRef['ui:field']).toBe('EntityPicker');
    expect(page.properties.entityRef['ui:options']).toEqual({
      allowArbitraryValues: false,
      catalogFilter: [
        {
          kind: 'Resource',
          'spec.type': 'kubernetes-cluster',
          'metadata.annotations.gpu-platform.dev/cluster-name': {
            exists: true,
          },
        },
      ],
    });
    const validate = new Ajv({ strict: false }).compile(page);
    expect(
      validate({
        entityRef: 'resource:default/e2e-gke',
        confirmName: 'e2e-gke',
      }),
    ).toBe(true);
    expect(
      validate({ entityRef: 'resource:default/e2e-gke', confirmName: '$(id)' }),
    ).toBe(false);
    expect(validate({ entityRef: 'resource:default/e2e-gke' })).toBe(false);
    expect(page.properties.deleteData.default).toBe(false);
  });

  it('runs gpu-cluster:destroy tagged for the policy, with guidance when it was left out', () => {
    expect(
      template.spec.steps.map((s: any) => [
        s.id,
        s.action,
        s['backstage:permissions']?.tags,
      ]),
    ).toEqual([
      ['destroy', 'gpu-cluster:destroy', [GPU_CLUSTER_TEMPLATE_TAG]],
      ['refused-guidance', 'debug:log', undefined],
    ]);
    // The stack is never passed in: only the reference, the confirmation and deleteData.
    expect(Object.keys(template.spec.steps[0].input).sort()).toEqual([
      'confirmName',
      'deleteData',
      'entityRef',
    ]);
    expect(template.spec.steps[1].if).toBe(
      '${{ not steps.destroy.output.entityRef }}',
    );
    expect(
      fs.existsSync(path.join(path.dirname(templateFile), 'skeleton')),
    ).toBe(false);
  });
});
