import fs from 'node:fs';
import path from 'node:path';
import { templateEntityV1beta3Validator } from '@backstage/plugin-scaffolder-common';
import { gpuStackSpecJsonSchema } from '@gpu-platform/backstage-plugin-gpu-cluster-common';
import Ajv from 'ajv';
import { parse } from 'yaml';
import {
  SECTIONS_NOT_IN_FORM,
  TEMPLATE_PAGES,
  gpuClusterTemplateParameters,
} from './templateParameters';
import { TEMPLATE_PATH } from './templatePath';

const templateFile = path.resolve(__dirname, '../..', TEMPLATE_PATH);
const template = parse(fs.readFileSync(templateFile, 'utf8'));

describe('templates/gke-gpu-cluster/template.yaml', () => {
  it('is a valid scaffolder.backstage.io/v1beta3 Template', async () => {
    await expect(templateEntityV1beta3Validator.check(template)).resolves.toBe(
      true,
    );
    expect(template.metadata.title).toBe('Create GPU cluster');
  });

  it('has the parameters generated from the stack spec (run `yarn generate-template` when this fails)', () => {
    expect(template.spec.parameters).toEqual(gpuClusterTemplateParameters());
  });

  it('puts every section of the spec on exactly one page', () => {
    const specSections = Object.keys(
      (gpuStackSpecJsonSchema({ target: 'draft-7' }) as any).properties,
    ).filter(s => !(SECTIONS_NOT_IN_FORM as readonly string[]).includes(s));
    const onPages = TEMPLATE_PAGES.flatMap(page => page.sections);
    expect([...onPages].sort()).toEqual([...specSections].sort());
  });

  it('asks for the owning team with an OwnerPicker on catalog groups', () => {
    expect(
      template.spec.parameters[0].properties.identity.properties.owner,
    ).toMatchObject({
      'ui:field': 'OwnerPicker',
      'ui:options': { catalogFilter: [{ kind: 'Group' }] },
    });
  });

  it('form pages accept a minimal spec and reject a bad project id (draft-07, as the form validates)', () => {
    const ajv = new Ajv({ strict: false, allErrors: true });
    const page = { ...template.spec.parameters[0] };
    const validate = ajv.compile(page);
    expect(
      validate({
        identity: {
          projectId: 'ml-research-1',
          namePrefix: 'research',
          owner: 'group:default/platform-team',
        },
      }),
    ).toBe(true);
    expect(
      validate({
        identity: {
          projectId: 'Bad Project',
          namePrefix: 'research',
          owner: 'group:default/platform-team',
        },
      }),
    ).toBe(false);
  });

  it('runs validate → render → terraform → kubectl → register, with failure guidance', () => {
    const steps = template.spec.steps as {
      id: string;
      action: string;
      if?: string;
      input?: { message?: string };
    }[];
    expect(steps.map(s => s.action)).toEqual([
      'gpu-cluster:spec:validate',
      'gpu-cluster:stack:render',
      'gpu-cluster:terraform:apply',
      'gpu-cluster:kubectl:apply',
      'gpu-cluster:catalog:register',
      'debug:log',
      'debug:log',
    ]);
    // Nothing of the workspace is run: no step fetches files into it.
    expect(steps.some(s => s.action.startsWith('fetch:'))).toBe(false);
    expect(
      fs.existsSync(path.join(path.dirname(templateFile), 'skeleton')),
    ).toBe(false);
    // The state location is only named when validation produced it.
    expect(steps[5].if).toBe(
      '${{ failure() and steps.validate.output.stateBucket }}',
    );
    expect(steps[6].if).toBe(
      '${{ failure() and not steps.validate.output.stateBucket }}',
    );
    expect(steps[6].input?.message).not.toContain('gs://');
    expect(template.spec.output.links.map((l: any) => l.title)).toEqual([
      'Cluster in the catalog',
      'GKE console',
      'Ray dashboard',
    ]);
  });
});
