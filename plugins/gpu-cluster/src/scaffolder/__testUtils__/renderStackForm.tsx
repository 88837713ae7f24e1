import { renderInTestApp } from '@backstage/frontend-test-utils';
import type { FieldExtensionComponentProps } from '@backstage/plugin-scaffolder-react';
import { Stepper } from '@backstage/plugin-scaffolder-react/alpha';
import type { JsonValue } from '@backstage/types';
import {
  GPU_STACK_FIELD_EXTENSIONS,
  gpuStackTemplateParameters,
} from '@gpu-platform/backstage-plugin-gpu-cluster-common';
import TextField from '@material-ui/core/TextField';
import { gpuClusterApiRef, GpuClusterClient } from '../../api';
import { GpuNodePools } from '../GpuNodePools';
import { GpuStackReview } from '../GpuStackReview';
import { GpuStackSection } from '../GpuStackSection';
import { gpuStackSectionValidation } from '../validation';

/** Stands in for the catalog's OwnerPicker (a text field): these tests are about the stack form. */
function OwnerField(props: FieldExtensionComponentProps<string>) {
  return (
    <TextField
      id={props.idSchema.$id}
      label="Owner"
      value={props.formData ?? ''}
      onChange={event => props.onChange(event.target.value)}
    />
  );
}

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
  } = {},
) {
  // The stepper scrolls to the top on every page; jsdom has no layout.
  window.scrollTo = jest.fn() as any;
  const onCreate = jest.fn(async (_values: Record<string, JsonValue>) => {});
  const fetch = jest.fn(async (_url: string, init?: RequestInit) => {
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
      ],
    },
  );
  return { onCreate, fetch };
}
