import fs from 'node:fs';
import path from 'node:path';
import { templateEntityV1beta3Validator } from '@backstage/plugin-scaffolder-common';
import {
  GPU_CLUSTER_PRESETS,
  GPU_CLUSTER_TEMPLATE_TAG,
  PROVISIONING_MODES,
  gpuStackSpecJsonSchema,
  parseGpuStackSpec,
} from '@gpu-platform/backstage-plugin-gpu-cluster-common';
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
    const inTemplate = (template.spec.parameters as any[]).flatMap(page =>
      Object.keys(page.properties),
    );
    for (const section of specSections) expect(inTemplate).toContain(section);
  });

  it('asks for the owning team with an OwnerPicker on catalog groups', () => {
    expect(
      template.spec.parameters[0].properties.identity.properties.owner,
    ).toMatchObject({
      'ui:field': 'OwnerPicker',
      'ui:options': { catalogFilter: [{ kind: 'Group' }] },
    });
  });

  describe('form pages, validated as the form does (draft-07, defaults applied)', () => {
    const ajv = new Ajv({ strict: false, allErrors: true, useDefaults: true });
    const pages = (template.spec.parameters as any[]).map(page =>
      ajv.compile(page),
    );
    const identity = {
      projectId: 'ml-research-1',
      namePrefix: 'research',
      owner: 'group:default/platform-team',
    };
    /** Runs every page over one form state, as the stepper does, then parses it as the actions do. */
    const fill = (values: Record<string, unknown>) => {
      const formData = JSON.parse(JSON.stringify(values));
      const errors = pages.flatMap(validate =>
        validate(formData) ? [] : validate.errors ?? [],
      );
      return { formData, errors };
    };

    it('reject a bad project id', () => {
      expect(
        fill({ identity: { ...identity, projectId: 'Bad Project' } }).errors,
      ).not.toEqual([]);
    });

    it.each(GPU_CLUSTER_PRESETS.map(p => [p.title, p.nodePool] as const))(
      'complete with the defaults of preset "%s" and give a valid stack spec',
      (_title, pool) => {
        const nodePool = JSON.parse(JSON.stringify(pool));
        if (nodePool.provisioning.mode === 'reservation') {
          nodePool.provisioning.reservation = { name: 'a100-reservation' };
        }
        const { formData, errors } = fill({ identity, nodePools: [nodePool] });
        expect(errors).toEqual([]);
        const parsed = parseGpuStackSpec(formData);
        expect(parsed.ok ? [] : parsed.issues).toEqual([]);
      },
    );

    it.each(PROVISIONING_MODES.map(mode => [mode]))(
      'complete in %s mode with defaults, no hidden field required',
      mode => {
        const provisioning: Record<string, unknown> = { mode };
        if (mode === 'reservation') provisioning.reservation = { name: 'r1' };
        const machineType =
          mode === 'spot' || mode === 'compute-class'
            ? 'a3-highgpu-8g'
            : 'a3-ultragpu-8g';
        const { formData, errors } = fill({
          identity,
          nodePools: [{ machineType, provisioning }],
        });
        expect(errors).toEqual([]);
        const parsed = parseGpuStackSpec(formData);
        expect(parsed.ok ? [] : parsed.issues).toEqual([]);
      },
    );

    it('require a reservation name only in reservation mode', () => {
      const reservationMode = fill({
        identity,
        nodePools: [{ provisioning: { mode: 'reservation' } }],
      });
      expect(reservationMode.errors.map(e => e.params)).toContainEqual({
        missingProperty: 'reservation',
      });
      expect(
        fill({ identity, nodePools: [{ provisioning: { mode: 'spot' } }] })
          .errors,
      ).toEqual([]);
    });
  });

  it('runs validate → preflight → render → terraform → kubectl → register, with failure guidance', () => {
    const steps = template.spec.steps as {
      id: string;
      action: string;
      if?: string;
      input?: { message?: string };
    }[];
    expect(steps.map(s => s.action)).toEqual([
      'gpu-cluster:spec:validate',
      'gpu-cluster:preflight',
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
    // The state location is only named when validation produced it and preflight passed (before
    // that, nothing can have been created).
    expect(steps[6].if).toBe(
      '${{ failure() and steps.validate.output.stateBucket and steps.preflight.output.ok }}',
    );
    expect(steps[7].if).toBe(
      '${{ failure() and not (steps.validate.output.stateBucket and steps.preflight.output.ok) }}',
    );
    expect(steps[7].input?.message).not.toContain('gs://');
    // The provisioning steps are left out of tasks of users outside gpuCluster.policy; validate
    // stays so that such a task fails with the refusal.
    expect(
      template.spec.steps.map((s: any) => [
        s.id,
        s['backstage:permissions']?.tags,
      ]),
    ).toEqual([
      ['validate', undefined],
      ['preflight', [GPU_CLUSTER_TEMPLATE_TAG]],
      ['render', [GPU_CLUSTER_TEMPLATE_TAG]],
      ['terraform', [GPU_CLUSTER_TEMPLATE_TAG]],
      ['kubectl', [GPU_CLUSTER_TEMPLATE_TAG]],
      ['register', [GPU_CLUSTER_TEMPLATE_TAG]],
      ['failure-guidance', undefined],
      ['refused-guidance', undefined],
    ]);
    expect(template.spec.output.links.map((l: any) => l.title)).toEqual([
      'Cluster in the catalog',
      'GKE console',
      'Ray dashboard',
    ]);
  });
});
