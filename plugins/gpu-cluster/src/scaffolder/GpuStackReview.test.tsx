import { screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { previewFixture } from './__testUtils__/previewFixture';
import { renderStackForm } from './__testUtils__/renderStackForm';

jest.setTimeout(60_000);

const identity = {
  projectId: 'ml-research-1',
  namePrefix: 'research',
  owner: 'group:default/platform-team',
};

/** Opens the "What will happen" page (page 3) of a form started from `initialState`. */
async function openReviewPage(preview: (values: any) => unknown) {
  const user = userEvent.setup();
  const rendered = await renderStackForm({
    initialState: { identity },
    preview,
  });
  // Page 1, once the identity section has the user's view of the policy.
  await screen.findByRole(
    'button',
    { name: /^Google Cloud project/ },
    { timeout: 10_000 },
  );
  await user.click(screen.getByRole('button', { name: 'Next' }));
  await screen.findByRole('button', { name: /^Cluster/ });
  await user.click(screen.getByRole('button', { name: 'Next' }));
  return { ...rendered, user };
}

describe('GpuStackReview ("What will happen")', () => {
  it('says what Create will do: cluster, GPUs at most, quota, mode consequences, resources, state', async () => {
    const { fetch, user } = await openReviewPage(() => ({
      valid: true,
      preview: previewFixture,
    }));
    const summary = await screen.findByText(
      /Create provisions the GKE cluster/,
    );
    expect(summary).toHaveTextContent(
      'Create provisions the GKE cluster research-gke in us-central1 (project ml-research-1, zones us-central1-b) with at most 4 GPU nodes and 32 GPUs',
    );
    expect(screen.getByText('8× NVIDIA H200 141GB')).toBeInTheDocument();
    expect(
      screen.getByRole('heading', { name: 'GPU quota needed in us-central1' }),
    ).toBeInTheDocument();
    expect(
      screen.getByText('PREEMPTIBLE_NVIDIA_H200_GPUS'),
    ).toBeInTheDocument();
    expect(
      screen.getByText(/draw on the preemptible GPU quota/),
    ).toBeInTheDocument();
    expect(
      screen.getByText(/up to days when it is scarce/),
    ).toBeInTheDocument();
    expect(
      screen.getByText(/billed only from the moment nodes are provisioned/),
    ).toBeInTheDocument();
    expect(
      screen.getByText('Kueue v0.19.2 is installed first.'),
    ).toBeInTheDocument();
    expect(
      screen.getByText(
        'gs://aiinfra-terraform-ml-research-1/research-deployment/terraform/state',
      ),
    ).toBeInTheDocument();
    // The Kubernetes objects sit in a collapsed list.
    await user.click(
      screen.getByRole('button', {
        name: /2 Kubernetes objects in 2 manifests/,
      }),
    );
    expect(
      await screen.findByText('RayCluster default/ray'),
    ).toBeInTheDocument();

    const previews = fetch.mock.calls.filter(([url]) =>
      url.endsWith('/stack/preview'),
    );
    expect(previews).toHaveLength(1);
    const { values } = JSON.parse(String(previews[0][1]?.body));
    expect(values.identity).toMatchObject(identity);
    expect(values.nodePools[0].machineType).toBe('a3-ultragpu-8g');
  });

  it('lists what to fix, naming each field and its page, when the values are invalid', async () => {
    await openReviewPage(() => ({
      valid: false,
      issues: [
        {
          path: 'nodePools[0].provisioning.reservation',
          message: 'reservation mode needs a reservation name',
        },
      ],
    }));
    expect(
      await screen.findByText(/Create would stop at the first step/),
    ).toBeInTheDocument();
    expect(
      screen.getByText(
        'GPUs › How capacity is obtained › Reservation (page “GPU cluster”): reservation mode needs a reservation name',
      ),
    ).toBeInTheDocument();
  });

  it('says when the preview cannot be loaded, without blocking Create', async () => {
    const { user } = await openReviewPage(() => {
      throw new Error('backend down');
    });
    expect(
      await screen.findByText(/Could not load the preview/),
    ).toBeInTheDocument();
    await user.click(screen.getByRole('button', { name: 'Review' }));
    expect(await screen.findByRole('button', { name: 'Create' })).toBeEnabled();
  });
});
