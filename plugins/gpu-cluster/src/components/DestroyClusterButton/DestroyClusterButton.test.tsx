import { mockApis, renderInTestApp } from '@backstage/frontend-test-utils';
import { EntityProvider } from '@backstage/plugin-catalog-react';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { permissionApiRef } from '@backstage/plugin-permission-react';
import { screen, waitFor } from '@testing-library/react';
import {
  DestroyClusterButton,
  destroyTemplateLink,
} from './DestroyClusterButton';

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
const cluster = clusterNamed('e2e-gke');

const render = async (
  entity: Record<string, any>,
  decide: (permission: string) => AuthorizeResult.ALLOW | AuthorizeResult.DENY,
) => {
  const asked: Array<{ permission: string; resourceRef?: string }> = [];
  await renderInTestApp(
    <EntityProvider entity={entity as any}>
      <div data-testid="host">
        <DestroyClusterButton />
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
              return decide(request.permission.name);
            },
          }),
        ],
      ],
    },
  );
  return asked;
};

describe('DestroyClusterButton', () => {
  it('links the owner to the Destroy template with the entity pre-filled', async () => {
    const asked = await render(cluster, () => AuthorizeResult.ALLOW);
    const link = await screen.findByRole('button', { name: 'Destroy e2e-gke' });
    expect(link).toHaveAttribute(
      'href',
      '/create/templates/default/gke-gpu-cluster-destroy?formData=%7B%22entityRef%22%3A%22resource%3Adefault%2Fe2e-gke%22%7D',
    );
    expect(link.getAttribute('href')).toBe(
      destroyTemplateLink('resource:default/e2e-gke'),
    );
    // The two decisions the gpu-cluster:destroy action asks again, on this entity.
    expect(asked).toEqual(
      expect.arrayContaining([
        {
          permission: 'catalog.entity.delete',
          resourceRef: 'resource:default/e2e-gke',
        },
        {
          permission: 'gpuCluster.stack.update',
          resourceRef: 'resource:default/e2e-gke',
        },
      ]),
    );
  });

  it.each([['catalog.entity.delete'], ['gpuCluster.stack.update']])(
    'is not shown when %s is denied (not an owner)',
    async denied => {
      const asked = await render(clusterNamed(`denied-${denied}`), permission =>
        permission === denied ? AuthorizeResult.DENY : AuthorizeResult.ALLOW,
      );
      await waitFor(() => expect(asked.length).toBeGreaterThanOrEqual(2));
      expect(screen.getByTestId('host')).toBeEmptyDOMElement();
    },
  );

  it('is not shown on an entity that is no GPU cluster', async () => {
    await render(
      { ...cluster, metadata: { name: 'not-a-cluster', namespace: 'default' } },
      () => AuthorizeResult.ALLOW,
    );
    await screen.findByTestId('host');
    expect(screen.getByTestId('host')).toBeEmptyDOMElement();
  });
});
