import fs from 'node:fs';
import path from 'node:path';
import { templateEntityV1beta3Validator } from '@backstage/plugin-scaffolder-common';
import { GPU_CLUSTER_TEMPLATE_TAG } from '@gpu-platform/backstage-plugin-gpu-cluster-common';
import Ajv from 'ajv';
import { parse } from 'yaml';

const template = parse(
  fs.readFileSync(
    path.resolve(
      __dirname,
      '../../../../templates/gke-gpu-cluster-verify/template.yaml',
    ),
    'utf8',
  ),
);

describe('templates/gke-gpu-cluster-verify/template.yaml', () => {
  it('is a valid Template that picks GPU clusters only and asks nothing else', async () => {
    await expect(templateEntityV1beta3Validator.check(template)).resolves.toBe(
      true,
    );
    expect(template.metadata.title).toBe('Verify GPU cluster fabric');
    const [page] = template.spec.parameters;
    expect(Object.keys(page.properties)).toEqual(['entityRef']);
    expect(page.properties.entityRef['ui:options'].allowArbitraryValues).toBe(
      false,
    );
    const validate = new Ajv({ strict: false }).compile(page);
    expect(validate({ entityRef: 'resource:default/e2e-gke' })).toBe(true);
    expect(validate({})).toBe(false);
  });

  it('runs gpu-cluster:verify tagged for the policy, with only the entity as input', () => {
    const [verify, guidance] = template.spec.steps;
    expect(verify).toMatchObject({
      id: 'verify',
      action: 'gpu-cluster:verify',
      'backstage:permissions': { tags: [GPU_CLUSTER_TEMPLATE_TAG] },
      input: { entityRef: '${{ parameters.entityRef }}' },
    });
    expect(guidance).toMatchObject({
      action: 'debug:log',
      if: '${{ not steps.verify.output.entityRef }}',
    });
  });
});
