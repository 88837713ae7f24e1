import { mockApis, renderInTestApp } from '@backstage/frontend-test-utils';
import { EntityProvider } from '@backstage/plugin-catalog-react';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { permissionApiRef } from '@backstage/plugin-permission-react';
import { screen, waitFor } from '@testing-library/react';
import { VerifyFabricButton, verifyTemplateLink } from './VerifyFabricButton';

// usePermission caches decisions per permission and resource: each test its own cluster name.
const clusterNamed = (name: string, annotated = true) => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Resource',
  metadata: {
    name,
    namespace: 'default',
    annotations: annotated ? { 'gpu-platform.dev/cluster-name': name } : {},
  },
  spec: { type: 'kubernetes-cluster', owner: 'group:default/ml-platform' },
});

const render = async (entity: Record<string, any>, result: AuthorizeResult) => {
  const asked: Array<{ permission: string; resourceRef?: string }> = [];
  await renderInTestApp(
    <EntityProvider entity={entity as any}>
      <div data-testid="host">
        <VerifyFabricButton />
      </div>
    </EntityProvider>,
    {
      apis: [
        [
          permissionApiRef,
          mockApis.permission({
            authorize: request => {
              asked.push({
                permission: request.permission.name,
                resourceRef: (request as { resourceRef?: string }).resourceRef,
              });
              return result as AuthorizeResult.ALLOW | AuthorizeResult.DENY;
            },
          }),
        ],
      ],
    },
  );
  return asked;
};

describe('VerifyFabricButton', () => {
  it('links the owner to the Verify template with the entity pre-filled', async () => {
    const asked = await render(clusterNamed('v-ok'), AuthorizeResult.ALLOW);
    const link = await screen.findByRole('button', {
      name: 'Verify the fabric of v-ok',
    });
    expect(link).toHaveAttribute(
      'href',
      '/create/templates/default/gke-gpu-cluster-verify?formData=%7B%22entityRef%22%3A%22resource%3Adefault%2Fv-ok%22%7D',
    );
    expect(link.getAttribute('href')).toBe(
      verifyTemplateLink('resource:default/v-ok'),
    );
    expect(asked).toEqual([
      {
        permission: 'gpuCluster.stack.update',
        resourceRef: 'resource:default/v-ok',
      },
    ]);
  });

  it('shows nothing to a user the policy does not allow', async () => {
    const asked = await render(clusterNamed('v-denied'), AuthorizeResult.DENY);
    await waitFor(() => expect(asked.length).toBeGreaterThan(0));
    expect(screen.getByTestId('host')).toBeEmptyDOMElement();
  });

  it('shows nothing on an entity that is not a GPU cluster', async () => {
    await render(clusterNamed('v-plain', false), AuthorizeResult.ALLOW);
    expect(screen.getByTestId('host')).toBeEmptyDOMElement();
  });
});
