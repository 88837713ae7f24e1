import { mockApis, renderInTestApp } from '@backstage/frontend-test-utils';
import { EntityProvider } from '@backstage/plugin-catalog-react';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { permissionApiRef } from '@backstage/plugin-permission-react';
import { screen, waitFor } from '@testing-library/react';
import { UpdateClusterButton, updateTemplateLink } from './UpdateClusterButton';

// usePermission caches decisions per permission and resource across renders: each test uses its
// own cluster name.
const clusterNamed = (name: string) => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Resource',
  metadata: {
    name,
    namespace: 'default',
    annotations: { 'gpu-platform.dev/cluster-name': name },
  },
  spec: { type: 'kubernetes-cluster', owner: 'group:default/ml-platform' },
});

const render = async (
  entity: Record<string, any>,
  result: AuthorizeResult.ALLOW | AuthorizeResult.DENY,
) => {
  const asked: Array<{ permission: string; resourceRef?: string }> = [];
  await renderInTestApp(
    <EntityProvider entity={entity as any}>
      <div data-testid="host">
        <UpdateClusterButton />
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
              return result;
            },
          }),
        ],
      ],
    },
  );
  return asked;
};

describe('UpdateClusterButton', () => {
  it('links the owner to the Update template with the entity pre-filled', async () => {
    const asked = await render(clusterNamed('e2e-gke'), AuthorizeResult.ALLOW);
    const link = await screen.findByRole('button', { name: 'Update e2e-gke' });
    expect(link).toHaveAttribute(
      'href',
      '/create/templates/default/gke-gpu-cluster-update?formData=%7B%22entityRef%22%3A%22resource%3Adefault%2Fe2e-gke%22%7D',
    );
    expect(link.getAttribute('href')).toBe(
      updateTemplateLink('resource:default/e2e-gke'),
    );
    // The decision gpu-cluster:update and the spec route ask again, on this entity.
    expect(asked).toEqual([
      {
        permission: 'gpuCluster.stack.update',
        resourceRef: 'resource:default/e2e-gke',
      },
    ]);
  });

  it('is not shown to a user who may not update the cluster (not an owner)', async () => {
    const asked = await render(clusterNamed('denied'), AuthorizeResult.DENY);
    await waitFor(() => expect(asked.length).toBeGreaterThanOrEqual(1));
    expect(screen.getByTestId('host')).toBeEmptyDOMElement();
  });

  it('is not shown on an entity that is no GPU cluster', async () => {
    await render(
      {
        ...clusterNamed('x'),
        metadata: { name: 'not-a-cluster', namespace: 'default' },
      },
      AuthorizeResult.ALLOW,
    );
    await screen.findByTestId('host');
    expect(screen.getByTestId('host')).toBeEmptyDOMElement();
  });
});
