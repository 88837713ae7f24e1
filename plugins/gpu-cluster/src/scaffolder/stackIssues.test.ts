import { createFieldValidation } from '@backstage/plugin-scaffolder-react/alpha';
import {
  addSectionIssues,
  stackFormIssues,
  stackInputFromForm,
} from './stackIssues';
import { gpuStackSectionValidation } from './validation';
import { PLATFORM_TEAM_POLICY } from './__testUtils__/renderStackForm';

const identity = {
  projectId: 'ml-research-1',
  namePrefix: 'research',
  owner: 'group:default/platform-team',
};

describe('stack issues of the form', () => {
  it('are the spec validation issues, with paths as segments', () => {
    expect(
      stackFormIssues({
        identity: { ...identity, zones: ['europe-west4-a'] },
        nodePools: [{ minNodes: 5 }],
      }),
    ).toEqual(
      expect.arrayContaining([
        {
          path: ['identity', 'zones', 0],
          message: 'zone europe-west4-a is not in region us-central1',
        },
        {
          path: ['nodePools', 0, 'minNodes'],
          message: 'minNodes (5) exceeds maxNodes (4)',
        },
      ]),
    );
  });

  it('add zones the catalog does not offer for the machine type once the spec is valid', () => {
    expect(
      stackFormIssues({
        identity,
        nodePools: [
          {
            machineType: 'a2-ultragpu-8g',
            provisioning: { mode: 'on-demand' },
          },
        ],
      }),
    ).toEqual([
      {
        path: ['identity', 'zones', 0],
        message: expect.stringMatching(
          /^a2-ultragpu-8g is not offered in us-central1-b as far as the accelerator catalog knows/,
        ),
      },
    ]);
    expect(stackFormIssues({ identity })).toEqual([]);
  });

  it("add what gpuCluster.policy refuses, with the actions' field and message", () => {
    expect(
      stackFormIssues(
        { identity: { ...identity, projectId: 'other-project-1' } },
        PLATFORM_TEAM_POLICY,
      ),
    ).toEqual([
      {
        path: ['identity', 'projectId'],
        message:
          'Project other-project-1 is not allowed for group:default/platform-team (gpuCluster.policy.groups: ml-research-1, ml-research-2)',
      },
    ]);
    expect(
      stackFormIssues(
        { identity, nodePools: [{ maxNodes: 9 }] },
        PLATFORM_TEAM_POLICY,
      ),
    ).toEqual([
      {
        path: ['nodePools'],
        message:
          'The node pools can hold 72 GPUs; group:default/platform-team may have at most 64 per stack (gpuCluster.policy)',
      },
    ]);
    expect(stackFormIssues({ identity }, PLATFORM_TEAM_POLICY)).toEqual([]);
  });

  it('send what the scaffolder sends: JSON, without the review page property', () => {
    expect(
      stackInputFromForm({
        identity: { ...identity, costCenter: undefined },
        whatWillHappen: 'x',
      }),
    ).toEqual({ identity });
  });

  it('nest on the field validation by path, with __errors only where there is a message', () => {
    const validation = createFieldValidation();
    addSectionIssues(validation, 'identity', [
      { path: ['identity', 'zones', 0], message: 'not in region' },
      { path: ['identity', 'labels', 'owner'], message: 'reserved key' },
      { path: ['nodePools', 0, 'name'], message: 'another section' },
    ]);
    expect(JSON.parse(JSON.stringify(validation))).toEqual({
      zones: { 0: { __errors: ['not in region'] } },
      labels: { owner: { __errors: ['reserved key'] } },
    });
    const sectionLevel = createFieldValidation();
    addSectionIssues(sectionLevel, 'identity', [
      { path: ['identity'], message: 'whole section' },
    ]);
    expect(sectionLevel.__errors).toEqual(['whole section']);
  });

  it('the field validation reports only its own section (ui:options.section)', async () => {
    const formData = {
      identity: { ...identity, zones: ['europe-west4-a'] },
      nodePools: [{ minNodes: 5 }],
    };
    const onIdentity = createFieldValidation();
    await gpuStackSectionValidation(formData.identity, onIdentity, {
      apiHolder: { get: () => undefined },
      formData,
      schema: {},
      uiSchema: { 'ui:options': { section: 'identity' } },
    });
    expect(JSON.parse(JSON.stringify(onIdentity))).toEqual({
      zones: {
        0: { __errors: ['zone europe-west4-a is not in region us-central1'] },
      },
    });
    const onPools = createFieldValidation();
    await gpuStackSectionValidation(formData.nodePools, onPools, {
      apiHolder: { get: () => undefined },
      formData,
      schema: {},
      uiSchema: { 'ui:options': { section: 'nodePools' } },
    });
    expect(JSON.parse(JSON.stringify(onPools))).toMatchObject({
      0: {
        minNodes: {
          __errors: expect.arrayContaining([
            'minNodes (5) exceeds maxNodes (4)',
            'queued provisioning pools start empty: minNodes must be 0',
          ]),
        },
      },
    });
  });
});
