import { discoveryApiRef, fetchApiRef } from '@backstage/core-plugin-api';
import { renderInTestApp } from '@backstage/frontend-test-utils';
import type { FieldExtensionComponentProps } from '@backstage/plugin-scaffolder-react';
import { Stepper } from '@backstage/plugin-scaffolder-react/alpha';
import {
  assertGpuStackSpec,
  GPU_STACK_UPDATE_FIELD,
  UPDATABLE_NODE_POOL_FIELDS,
  UPDATABLE_STACK_FIELDS,
} from '@gpu-platform/backstage-plugin-gpu-cluster-common';
import TextField from '@material-ui/core/TextField';
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { GpuStackUpdate, gpuStackUpdateValidation } from './GpuStackUpdate';

jest.setTimeout(60_000);

const STORED = assertGpuStackSpec({
  identity: {
    projectId: 'ml-research-1',
    namePrefix: 'research',
    owner: 'group:default/platform-team',
  },
});
const POOL = STORED.nodePools[0];
const ENTITY_REF = 'resource:default/research-gke';

/** Stands in for the scaffolder's EntityPicker: a text field. */
function EntityField(props: FieldExtensionComponentProps<string>) {
  return (
    <TextField
      id={props.idSchema.$id}
      label="GPU cluster"
      value={props.formData ?? ''}
      onChange={event => props.onChange(event.target.value)}
    />
  );
}

/**
 * The Update template's parameters as the scaffolder serves them (the template's own test, in
 * the scaffolder module, holds templates/gke-gpu-cluster-update/template.yaml to these fields).
 */
function updateFormManifest() {
  return {
    title: 'Update GPU cluster',
    steps: [
      {
        title: 'GPU cluster',
        schema: {
          type: 'object',
          required: ['entityRef'],
          properties: {
            entityRef: {
              title: 'GPU cluster',
              type: 'string',
              'ui:field': 'EntityPicker',
            },
          },
        },
      },
      {
        title: 'Changes',
        schema: {
          type: 'object',
          required: ['stack'],
          properties: {
            stack: {
              title: 'Stack',
              type: 'object',
              'ui:field': GPU_STACK_UPDATE_FIELD,
            },
          },
        },
      },
    ],
  };
}

/** The backend's two routes, as the router answers them (its own tests cover the diff). */
function backend(options: { owner?: boolean } = {}) {
  const previews: any[] = [];
  const json = (body: unknown, status = 200) =>
    new Response(JSON.stringify(body), {
      status,
      headers: { 'Content-Type': 'application/json' },
    });
  const fetch = jest.fn(async (url: string, init?: RequestInit) => {
    if (options.owner === false) {
      return json(
        {
          error: {
            name: 'NotAllowedError',
            message: `Not allowed to update ${ENTITY_REF}`,
          },
          response: { statusCode: 403 },
        },
        403,
      );
    }
    if (url.endsWith('/clusters/default/research-gke/spec')) {
      return json({
        entityRef: ENTITY_REF,
        spec: STORED,
        updatableFields: UPDATABLE_STACK_FIELDS,
        updatableNodePoolFields: UPDATABLE_NODE_POOL_FIELDS,
      });
    }
    const { values } = JSON.parse(String(init?.body));
    previews.push(values);
    const max = values.nodePools[0].maxNodes;
    if (values.identity.region !== STORED.identity.region) {
      return json({
        valid: false,
        issues: [
          {
            path: 'identity.region',
            message: 'cannot change on an existing cluster',
          },
        ],
      });
    }
    return json({
      valid: true,
      preview: {
        immutable: [],
        objects: [],
        variables:
          max === POOL.maxNodes
            ? []
            : [
                {
                  path: 'node_pools[0].max_nodes',
                  from: POOL.maxNodes,
                  to: max,
                },
              ],
      },
    });
  });
  return { fetch, previews };
}

async function renderUpdateForm(options: { owner?: boolean } = {}) {
  window.scrollTo = jest.fn() as any;
  const onCreate = jest.fn(async () => {});
  const { fetch, previews } = backend(options);
  await renderInTestApp(
    <Stepper
      manifest={updateFormManifest() as any}
      extensions={[
        { name: 'EntityPicker', component: EntityField as any },
        {
          name: GPU_STACK_UPDATE_FIELD,
          component: GpuStackUpdate as any,
          validation: gpuStackUpdateValidation as any,
        },
      ]}
      onCreate={onCreate}
      // What the entity page's Update button pre-fills.
      initialState={{ entityRef: ENTITY_REF }}
    />,
    {
      apis: [
        [
          discoveryApiRef,
          { getBaseUrl: async (id: string) => `http://backend/api/${id}` },
        ],
        [fetchApiRef, { fetch: fetch as any }],
      ],
    },
  );
  const user = userEvent.setup();
  await user.click(await screen.findByRole('button', { name: 'Next' }));
  return { user, onCreate, fetch, previews };
}

describe('GpuStackUpdate (the Update GPU cluster form)', () => {
  it('starts from the stored spec, shows the fixed fields, reviews a resize and submits it', async () => {
    const { user, onCreate, fetch } = await renderUpdateForm();
    expect(fetch).toHaveBeenCalledWith(
      'http://backend/api/gpu-cluster/clusters/default/research-gke/spec',
      undefined,
    );
    const fixed = await screen.findByLabelText('Fixed for this cluster');
    expect(fixed).toHaveTextContent(
      'Project ml-research-1, region us-central1, zones us-central1-b',
    );
    const pool = screen.getByRole('group', { name: `Node pool ${POOL.name}` });
    // An existing pool keeps its name (GKE would recreate it).
    expect(within(pool).getByLabelText('Name')).toBeDisabled();
    const max = within(pool).getByLabelText('Max nodes');
    expect(max).toHaveValue(POOL.maxNodes);
    await user.clear(max);
    await user.type(max, String(POOL.maxNodes + 2));

    const diff = await screen.findByRole('list', {
      name: 'Terraform variables that change',
    });
    await waitFor(() =>
      expect(diff).toHaveTextContent(
        `node_pools[0].max_nodes: ${POOL.maxNodes} → ${POOL.maxNodes + 2}`,
      ),
    );
    await user.click(screen.getByRole('button', { name: 'Review' }));
    await user.click(await screen.findByRole('button', { name: 'Create' }));
    await waitFor(() => expect(onCreate).toHaveBeenCalled());
    const submitted = (onCreate.mock.calls[0] as any)[0];
    expect(submitted.entityRef).toBe(ENTITY_REF);
    expect(submitted.stack.nodePools[0].maxNodes).toBe(POOL.maxNodes + 2);
    expect(submitted.stack.identity).toEqual(
      JSON.parse(JSON.stringify(STORED.identity)),
    );
  });

  it('adds and removes a node pool under a new name', async () => {
    const { user, previews } = await renderUpdateForm();
    await screen.findByLabelText('Fixed for this cluster');
    await user.click(screen.getByRole('button', { name: 'Add node pool' }));
    const added = await screen.findByRole('group', {
      name: 'Node pool pool-2',
    });
    expect(within(added).getByLabelText('Name')).toBeEnabled();
    await waitFor(() =>
      expect(previews.at(-1).nodePools.map((p: any) => p.name)).toEqual([
        POOL.name,
        'pool-2',
      ]),
    );
    await user.click(within(added).getByRole('button', { name: 'Remove' }));
    await waitFor(() =>
      expect(
        screen.queryByRole('group', { name: 'Node pool pool-2' }),
      ).not.toBeInTheDocument(),
    );
  });

  it('says why when the user may not update the cluster', async () => {
    await renderUpdateForm({ owner: false });
    expect(
      await screen.findByText(
        /Cannot load the spec of resource:default\/research-gke/,
      ),
    ).toHaveTextContent(`Not allowed to update ${ENTITY_REF}`);
  });
});
