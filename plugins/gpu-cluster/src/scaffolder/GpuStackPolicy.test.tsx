import type { StackPolicyView } from '@gpu-platform/backstage-plugin-gpu-cluster-common';
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import {
  PLATFORM_TEAM_POLICY,
  renderStackForm,
} from './__testUtils__/renderStackForm';

jest.setTimeout(60_000);

type User = ReturnType<typeof userEvent.setup>;

const next = (user: User) =>
  user.click(screen.getByRole('button', { name: 'Next' }));

/** The options of a select (MUI renders it as a button named by its label and value). */
async function optionsOf(user: User, label: RegExp) {
  await user.click(await screen.findByRole('button', { name: label }));
  const options = (await screen.findAllByRole('option')).map(
    o => o.textContent,
  );
  await user.keyboard('{Escape}');
  return options;
}

async function choose(user: User, label: RegExp, option: string | RegExp) {
  await user.click(await screen.findByRole('button', { name: label }));
  await user.click(await screen.findByRole('option', { name: option }));
}

const ownerChoices = async () =>
  within(await screen.findByRole('list', { name: 'Owner choices' }))
    .queryAllByRole('listitem')
    .map(item => item.textContent);

/** Page 1 once the policy has loaded (the identity section waits for it; a cold start is slow). */
const formReady = () =>
  screen.findByRole(
    'button',
    { name: /^Google Cloud project/ },
    { timeout: 10_000 },
  );

const stillOnPage1 = () =>
  expect(screen.getByRole('heading', { name: 'GPUs' })).toBeInTheDocument();

describe('the "Create GPU cluster" form under gpuCluster.policy', () => {
  it("offers as owner only the user's groups of the policy and as project only the owner's projects", async () => {
    const user = userEvent.setup();
    const { fetch } = await renderStackForm();
    // The catalog holds four groups; the owner picker asks it for platform-team only.
    await waitFor(async () =>
      expect(await ownerChoices()).toEqual(['group:default/platform-team']),
    );
    expect(screen.getByText('one of the choices')).toBeInTheDocument();
    expect(await optionsOf(user, /^Google Cloud project/)).toEqual([
      'Choose the owner first, or a project',
      'ml-research-1',
      'ml-research-2',
    ]);
    await user.type(
      screen.getByRole('textbox', { name: 'Owner' }),
      'group:default/platform-team',
    );
    // What the owner may create, from the policy (its budget and what is left of it).
    expect(
      await screen.findByText(
        'group:default/platform-team may create GPU clusters in ml-research-1, ml-research-2; with at most 64 GPUs per cluster; 480 of its 512 GPUs in total are left (gpuCluster.policy).',
      ),
    ).toBeInTheDocument();
    expect(fetch).toHaveBeenCalledWith(
      'http://backend/api/gpu-cluster/stack/policy',
      undefined,
    );
  });

  it('reports a project outside the policy (from a shared link) on page 1, as the actions would', async () => {
    const user = userEvent.setup();
    await renderStackForm({
      initialState: {
        identity: {
          projectId: 'other-project-1',
          namePrefix: 'research',
          owner: 'group:default/platform-team',
        },
      },
    });
    // Before Next: the project is kept, marked.
    expect(
      await screen.findByRole('button', {
        name: /^Google Cloud project other-project-1 — not allowed for platform-team/,
      }),
    ).toBeInTheDocument();
    await next(user);
    expect(
      await screen.findAllByText(
        'Project other-project-1 is not allowed for group:default/platform-team (gpuCluster.policy.groups: ml-research-1, ml-research-2)',
      ),
    ).not.toHaveLength(0);
    stillOnPage1();
    // Choosing an allowed project lets the user go on.
    await choose(user, /^Google Cloud project/, 'ml-research-2');
    await next(user);
    expect(
      await screen.findByRole('button', { name: /^Cluster/ }),
    ).toBeInTheDocument();
  });

  it("reports a project outside the policy together with the spec's own issues", async () => {
    const user = userEvent.setup();
    await renderStackForm({
      initialState: {
        identity: {
          projectId: 'other-project-1',
          namePrefix: 'research',
          owner: 'group:default/platform-team',
        },
        nodePools: [{ minNodes: 5 }],
      },
    });
    await formReady();
    await next(user);
    // The spec is not valid yet (a cross-field rule); owner and project are checked anyway.
    expect(
      await screen.findAllByText('minNodes (5) exceeds maxNodes (4)'),
    ).not.toHaveLength(0);
    expect(
      screen.getAllByText(/^Project other-project-1 is not allowed/),
    ).not.toHaveLength(0);
    stillOnPage1();
  });

  it("refuses an owner the user may not create for, with the actions' message", async () => {
    const user = userEvent.setup();
    await renderStackForm({
      initialState: {
        identity: {
          projectId: 'ml-research-1',
          namePrefix: 'research',
          owner: 'group:default/research',
        },
      },
    });
    await formReady();
    await next(user);
    expect(
      await screen.findAllByText(
        'user:default/guest is not a member of group:default/research and may not create GPU clusters for it',
      ),
    ).not.toHaveLength(0);
    stillOnPage1();
  });

  it('reports a stack over the GPU budget (maximum nodes × GPUs per node) on page 1', async () => {
    const user = userEvent.setup();
    await renderStackForm();
    await formReady();
    await choose(user, /^Google Cloud project/, 'ml-research-1');
    await user.type(
      screen.getByRole('textbox', { name: /Name prefix/ }),
      'big',
    );
    await user.type(
      screen.getByRole('textbox', { name: 'Owner' }),
      'group:default/platform-team',
    );
    const maxNodes = screen.getByRole('spinbutton', { name: /Maximum nodes/ });
    await user.clear(maxNodes);
    await user.type(maxNodes, '10');
    await next(user);
    expect(
      await screen.findByText(
        'The node pools can hold 80 GPUs; group:default/platform-team may have at most 64 per stack (gpuCluster.policy)',
      ),
    ).toBeInTheDocument();
    stillOnPage1();
  });

  it("counts the GPUs of the group's registered clusters against its total", async () => {
    const user = userEvent.setup();
    const nearlyFull: StackPolicyView = {
      ...PLATFORM_TEAM_POLICY,
      groups: [
        {
          ...PLATFORM_TEAM_POLICY.groups[0],
          remainingGpus: 8,
          stacks: [{ entityRef: 'resource:default/older-gke', gpus: 504 }],
        },
      ],
    };
    await renderStackForm({
      policy: nearlyFull,
      initialState: {
        identity: {
          projectId: 'ml-research-1',
          namePrefix: 'research',
          owner: 'group:default/platform-team',
        },
      },
    });
    await formReady();
    await next(user);
    expect(
      await screen.findByText(
        'group:default/platform-team would hold 536 GPUs with this stack; its budget is 512 (gpuCluster.policy)',
      ),
    ).toBeInTheDocument();
    stillOnPage1();
  });

  it('tells a user in no group of the policy what to ask for, and shows no form', async () => {
    const user = userEvent.setup();
    const refusal =
      'user:default/eve may not create GPU clusters: none of their groups is in gpuCluster.policy.groups. Ask the platform team to add one of your groups (group:default/finance) to gpuCluster.policy.groups, with the Google Cloud projects, Terraform state bucket and GPU budget it may use.';
    await renderStackForm({
      policy: {
        userEntityRef: 'user:default/eve',
        ownershipEntityRefs: ['user:default/eve', 'group:default/finance'],
        admin: false,
        groups: [],
        refusal,
      },
    });
    expect(
      await screen.findByText('You cannot create GPU clusters yet'),
    ).toBeInTheDocument();
    expect(screen.getByText(refusal)).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: /^Preset/ })).toBeNull();
    expect(
      screen.queryByRole('button', { name: /^Google Cloud project/ }),
    ).toBeNull();
    expect(screen.queryByRole('textbox', { name: 'Owner' })).toBeNull();
    await next(user);
    // Still the refusal, never page 2.
    await waitFor(() => expect(screen.getByText(refusal)).toBeInTheDocument());
    expect(screen.queryByRole('button', { name: /^Cluster/ })).toBeNull();
  });

  it('offers an admin the projects of every group, each marked with its groups', async () => {
    const user = userEvent.setup();
    await renderStackForm({
      policy: {
        userEntityRef: 'user:default/root',
        ownershipEntityRefs: [
          'user:default/root',
          'group:default/platform-admins',
        ],
        admin: true,
        groups: [
          {
            ...PLATFORM_TEAM_POLICY.groups[0],
            projects: ['ml-research-1', 'shared-gpu-1'],
          },
          {
            group: 'group:default/research',
            projects: ['research-project-1', 'shared-gpu-1'],
            stateBucket: 'research-tfstate',
            statePrefix: 'gpu-clusters/default/research',
            stacks: [],
          },
        ],
      },
    });
    await waitFor(async () =>
      expect(await ownerChoices()).toEqual([
        'group:default/platform-team',
        'group:default/research',
      ]),
    );
    expect(await optionsOf(user, /^Google Cloud project/)).toEqual([
      'Choose the owner first, or a project',
      'ml-research-1 (platform-team)',
      'shared-gpu-1 (platform-team, research)',
      'research-project-1 (research)',
    ]);
    await user.type(
      screen.getByRole('textbox', { name: 'Owner' }),
      'group:default/research',
    );
    expect(await optionsOf(user, /^Google Cloud project/)).toEqual([
      'Projects of research',
      'research-project-1',
      'shared-gpu-1',
    ]);
  });

  it('still works, checking the spec alone, when the policy cannot be loaded', async () => {
    await renderStackForm({ policy: new Error('backend unavailable') });
    expect(
      await screen.findByText(
        /Could not load what gpuCluster.policy allows you/,
      ),
    ).toBeInTheDocument();
    // Not limited: the project is the spec's text field again.
    expect(
      screen.getByRole('textbox', { name: /Google Cloud project/ }),
    ).toBeInTheDocument();
  });
});
