import fs from 'node:fs';
import path from 'node:path';
import { templateEntityV1beta3Validator } from '@backstage/plugin-scaffolder-common';
import { GPU_CLUSTER_TEMPLATE_TAG } from '@gpu-platform/backstage-plugin-gpu-cluster-common';
import { parse } from 'yaml';

const templateFile = path.resolve(
  __dirname,
  '../../../../templates/gke-gpu-cluster-update/template.yaml',
);
const template = parse(fs.readFileSync(templateFile, 'utf8'));

describe('templates/gke-gpu-cluster-update/template.yaml', () => {
  it('is a valid scaffolder.backstage.io/v1beta3 Template that resumes after a restart', async () => {
    await expect(templateEntityV1beta3Validator.check(template)).resolves.toBe(
      true,
    );
    expect(template.metadata.title).toBe('Update GPU cluster');
    expect(template.spec.EXPERIMENTAL_recovery).toEqual({
      EXPERIMENTAL_strategy: 'startOver',
    });
  });

  it('picks GPU clusters only, then edits the stored spec with the GpuStackUpdate field', () => {
    const [pick, changes] = template.spec.parameters;
    expect(pick.required).toEqual(['entityRef']);
    expect(pick.properties.entityRef['ui:field']).toBe('EntityPicker');
    expect(pick.properties.entityRef['ui:options'].catalogFilter).toEqual([
      {
        kind: 'Resource',
        'spec.type': 'kubernetes-cluster',
        'metadata.annotations.gpu-platform.dev/cluster-name': { exists: true },
      },
    ]);
    expect(changes.required).toEqual(['stack']);
    expect(changes.properties.stack['ui:field']).toBe('GpuStackUpdate');
  });

  it('runs gpu-cluster:update tagged for the policy, with guidance when it was left out', () => {
    expect(
      template.spec.steps.map((s: any) => [
        s.id,
        s.action,
        s['backstage:permissions']?.tags,
      ]),
    ).toEqual([
      ['update', 'gpu-cluster:update', [GPU_CLUSTER_TEMPLATE_TAG]],
      ['refused-guidance', 'debug:log', undefined],
    ]);
    expect(template.spec.steps[0].input).toEqual({
      entityRef: '${{ parameters.entityRef }}',
      values: '${{ parameters.stack }}',
    });
    expect(template.spec.steps[1].if).toBe(
      '${{ not steps.update.output.entityRef }}',
    );
    expect(template.spec.output.text[0].content).toContain(
      '${{ steps.update.output.planSummary }}',
    );
  });
});
