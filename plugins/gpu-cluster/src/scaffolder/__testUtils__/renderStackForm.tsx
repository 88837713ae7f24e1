import { stringifyEntityRef } from '@backstage/catalog-model';
import { useApi } from '@backstage/core-plugin-api';
import { renderInTestApp } from '@backstage/frontend-test-utils';
import { catalogApiRef } from '@backstage/plugin-catalog-react';
import { catalogApiMock } from '@backstage/plugin-catalog-react/testUtils';
import type { FieldExtensionComponentProps } from '@backstage/plugin-scaffolder-react';
import { Stepper } from '@backstage/plugin-scaffolder-react/alpha';
import type { JsonValue } from '@backstage/types';
import {
  GPU_STACK_FIELD_EXTENSIONS,
  gpuStackTemplateParameters,
  type StackPolicyView,
} from '@gpu-platform/backstage-plugin-gpu-cluster-common';
import TextField from '@material-ui/core/TextField';
import useAsync from 'react-use/esm/useAsync';
import { gpuClusterApiRef, GpuClusterClient } from '../../api';
import { GpuNodePools } from '../GpuNodePools';
import { GpuStackReview } from '../GpuStackReview';
import { GpuStackSection } from '../GpuStackSection';
import { gpuStackSectionValidation } from '../validation';

/**
 * Stands in for the scaffolder's OwnerPicker: a text field, and the groups its options would
 * offer — what the catalog answers for the `catalogFilter` of its `ui:options`, as the
 * OwnerPicker asks it — listed as "Owner choices" (the browser tests drive the real picker).
 */
function OwnerField(
  props: FieldExtensionComponentProps<
    string,
    { catalogFilter?: any; allowArbitraryValues?: boolean }
  >,
) {
  const catalogApi = useApi(catalogApiRef);
  const options = props.uiSchema?.['ui:options'];
  const filter = JSON.stringify(options?.catalogFilter ?? null);
  const { value: choices } = useAsync(async () => {
    const { items } = await catalogApi.getEntities({
      filter: JSON.parse(filter) ?? undefined,
    });
    return items.map(entity => stringifyEntityRef(entity));
  }, [filter]);
  return (
    <>
      <TextField
        id={props.idSchema.$id}
        label="Owner"
        value={props.formData ?? ''}
        onChange={event => props.onChange(event.target.value)}
        helperText={
          options?.allowArbitraryValues === false
            ? 'one of the choices'
            : 'any group'
        }
      />
      <ul aria-label="Owner choices">
        {(choices ?? []).map(choice => (
          <li key={choice}>{choice}</li>
        ))}
      </ul>
    </>
  );
}

/** The groups of the test catalog: the user's, another team's and one outside the policy. */
export const TEST_GROUPS = [
  'platform-team',
  'ml-platform',
  'research',
  'finance',
];

/** The policy as `GET /stack/policy` answers it to a member of platform-team. */
export const PLATFORM_TEAM_POLICY: StackPolicyView = {
  userEntityRef: 'user:default/guest',
  ownershipEntityRefs: ['user:default/guest', 'group:default/platform-team'],
  admin: false,
  groups: [
    {
      group: 'group:default/platform-team',
      projects: ['ml-research-1', 'ml-research-2'],
      stateBucket: 'platform-tfstate',
      statePrefix: 'gpu-clusters/default/platform-team',
      maxGpusPerStack: 64,
      maxGpusTotal: 512,
      remainingGpus: 480,
      stacks: [{ entityRef: 'resource:default/older-gke', gpus: 32 }],
    },
  ],
};

/** The field extensions as the app registers them (both frontend systems register these three). */
export const stackFormExtensions = [
  {
    name: GPU_STACK_FIELD_EXTENSIONS.section,
    component: GpuStackSection as any,
    validation: gpuStackSectionValidation as any,
  },
  {
    name: GPU_STACK_FIELD_EXTENSIONS.nodePools,
    component: GpuNodePools as any,
    validation: gpuStackSectionValidation as any,
  },
  { name: GPU_STACK_FIELD_EXTENSIONS.review, component: GpuStackReview as any },
  { name: 'OwnerPicker', component: OwnerField as any },
];

/** The template's manifest as the scaffolder serves it: the generated parameters as steps. */
export function stackFormManifest() {
  return {
    title: 'Create GPU cluster',
    steps: gpuStackTemplateParameters().map(page => ({
      title: page.title,
      description: page.description,
      schema: page,
    })),
  };
}

/**
 * Renders the scaffolder's own Stepper with the "Create GPU cluster" parameters and this
 * plugin's field extensions; the preview endpoint answers through `preview`.
 */
export async function renderStackForm(
  options: {
    initialState?: Record<string, JsonValue>;
    preview?: (values: unknown) => unknown;
    /** What `GET /stack/policy` answers (an Error: a 503); platform-team's view by default. */
    policy?: StackPolicyView | Error;
  } = {},
) {
  // The stepper scrolls to the top on every page; jsdom has no layout.
  window.scrollTo = jest.fn() as any;
  const onCreate = jest.fn(async (_values: Record<string, JsonValue>) => {});
  const policy = options.policy ?? PLATFORM_TEAM_POLICY;
  const fetch = jest.fn(async (url: string, init?: RequestInit) => {
    if (url.endsWith('/stack/policy')) {
      return policy instanceof Error
        ? new Response(
            JSON.stringify({
              error: { name: 'Error', message: policy.message },
              response: { statusCode: 503 },
            }),
            { status: 503, headers: { 'Content-Type': 'application/json' } },
          )
        : new Response(JSON.stringify(policy), {
            status: 200,
            headers: { 'Content-Type': 'application/json' },
          });
    }
    const { values } = JSON.parse(String(init?.body));
    let body: unknown;
    try {
      body = options.preview?.(values) ?? {
        valid: false,
        issues: [{ path: '', message: 'no preview in this test' }],
      };
    } catch (error) {
      return new Response(
        JSON.stringify({
          error: { name: 'Error', message: (error as Error).message },
          response: { statusCode: 503 },
        }),
        { status: 503, headers: { 'Content-Type': 'application/json' } },
      );
    }
    return new Response(JSON.stringify(body), {
      status: 200,
      headers: { 'Content-Type': 'application/json' },
    });
  });
  await renderInTestApp(
    <Stepper
      manifest={stackFormManifest() as any}
      extensions={stackFormExtensions}
      onCreate={onCreate}
      initialState={options.initialState}
    />,
    {
      apis: [
        // The plugin's real client, over a fetch that answers like the backend.
        [
          gpuClusterApiRef,
          new GpuClusterClient({
            discoveryApi: {
              getBaseUrl: async (id: string) => `http://backend/api/${id}`,
            },
            fetchApi: { fetch: fetch as any },
          }),
        ],
        [
          catalogApiRef,
          catalogApiMock({
            entities: TEST_GROUPS.map(name => ({
              apiVersion: 'backstage.io/v1alpha1',
              kind: 'Group',
              metadata: { name, namespace: 'default' },
              spec: { type: 'team', children: [] },
            })),
          }),
        ],
      ],
    },
  );
  return { onCreate, fetch };
}
