import { parseGpuStackSpec } from '@gpu-platform/backstage-plugin-gpu-cluster-common';
import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { previewFixture } from './__testUtils__/previewFixture';
import { renderStackForm } from './__testUtils__/renderStackForm';

jest.setTimeout(60_000);

const identityValues = {
  projectId: 'ml-research-1',
  namePrefix: 'research',
  owner: 'group:default/platform-team',
};

type User = ReturnType<typeof userEvent.setup>;

/** Opens a select (MUI renders it as a button named by its label and value) and picks an option. */
async function choose(user: User, label: RegExp, option: string | RegExp) {
  await user.click(screen.getByRole('button', { name: label }));
  await user.click(await screen.findByRole('option', { name: option }));
}

async function fillIdentity(user: User) {
  await choose(user, /^Google Cloud project/, identityValues.projectId);
  await user.type(
    screen.getByRole('textbox', { name: /Name prefix/ }),
    identityValues.namePrefix,
  );
  await user.type(
    screen.getByRole('textbox', { name: 'Owner' }),
    identityValues.owner,
  );
}

/** Page 1 once the policy has loaded (the identity section waits for it; a cold start is slow). */
async function formReady() {
  await screen.findByRole(
    'button',
    { name: /^Google Cloud project/ },
    { timeout: 10_000 },
  );
}

const next = (user: User) =>
  user.click(screen.getByRole('button', { name: 'Next' }));

/** The zone checkboxes, by their labels. */
function zoneCheckboxes() {
  return [
    ...document.querySelectorAll<HTMLInputElement>(
      'input[type=checkbox][name=root_identity_zones]',
    ),
  ].map(input => [input.closest('label')?.textContent, input.checked]);
}

describe('the "Create GPU cluster" form (scaffolder Stepper + gpu-cluster field extensions)', () => {
  it('keeps page 1 to the decisions: preset, machine, mode, size, project, region, zones, owner', async () => {
    await renderStackForm();
    await formReady();
    expect(
      await screen.findByRole('button', {
        name: /Preset 8× H200, DWS queued, for training/,
      }),
    ).toBeInTheDocument();
    expect(
      screen.getByRole('button', {
        name: /Machine type a3-ultragpu-8g — 8× NVIDIA H200 141GB, RDMA/,
      }),
    ).toBeInTheDocument();
    expect(
      screen.getByRole('button', { name: /Provisioning mode DWS queued/ }),
    ).toBeInTheDocument();
    expect(
      screen.getByRole('spinbutton', { name: /Maximum nodes/ }),
    ).toHaveValue(4);
    // Queued provisioning shows the node lifetime, never the reservation.
    expect(
      screen.getByRole('spinbutton', { name: /Maximum node lifetime/ }),
    ).toBeInTheDocument();
    expect(
      screen.queryByRole('textbox', { name: /Reservation name/ }),
    ).toBeNull();
    // The rest of the pool is one collapsed group, closed.
    expect(
      screen.getByRole('button', { name: /Node pool details/ }),
    ).toHaveAttribute('aria-expanded', 'false');
    expect(
      screen.queryByRole('textbox', { name: /Node pool name/ }),
    ).toBeNull();
    // Region and zones come from the catalog: H200 exists in one zone of us-central1.
    expect(
      screen.getByRole('button', { name: /Region us-central1 \(Iowa\)/ }),
    ).toBeInTheDocument();
    expect(zoneCheckboxes()).toEqual([['us-central1-b', true]]);
  });

  it('completes with the defaults on every page and creates values the spec accepts', async () => {
    const user = userEvent.setup();
    const { onCreate, fetch } = await renderStackForm({
      preview: () => ({ valid: true, preview: previewFixture }),
    });
    await formReady();
    await fillIdentity(user);
    await next(user);

    // Page 2: every advanced section collapsed.
    for (const section of [
      'Cluster',
      'Network',
      'Job queueing (Kueue)',
      'Terraform state',
    ]) {
      expect(
        await screen.findByRole('button', {
          name: new RegExp(`^${section.replace(/[()]/g, '\\$&')}`),
        }),
      ).toHaveAttribute('aria-expanded', 'false');
    }
    await next(user);

    // Page 3: what will happen, from the backend's preview of these values.
    expect(
      await screen.findByText('PREEMPTIBLE_NVIDIA_H200_GPUS'),
    ).toBeInTheDocument();
    expect(screen.getByText(/up to days/)).toBeInTheDocument();
    expect(fetch).toHaveBeenCalledWith(
      'http://backend/api/gpu-cluster/stack/preview',
      expect.objectContaining({ method: 'POST' }),
    );
    const previewCall = fetch.mock.calls.find(([url]) =>
      url.endsWith('/stack/preview'),
    )!;
    const sent = JSON.parse(String(previewCall[1]?.body)).values;
    expect(sent.identity).toMatchObject(identityValues);
    expect(sent).not.toHaveProperty('whatWillHappen');

    await user.click(screen.getByRole('button', { name: 'Review' }));
    await user.click(await screen.findByRole('button', { name: 'Create' }));
    await waitFor(() => expect(onCreate).toHaveBeenCalled());
    const values = onCreate.mock.calls[0][0];
    const parsed = parseGpuStackSpec(JSON.parse(JSON.stringify(values)));
    expect(parsed.ok ? [] : parsed.issues).toEqual([]);
    expect(values).toMatchObject({
      identity: {
        ...identityValues,
        region: 'us-central1',
        zones: ['us-central1-b'],
      },
      nodePools: [
        {
          name: 'h200-dws',
          machineType: 'a3-ultragpu-8g',
          provisioning: { mode: 'queued-provisioning' },
        },
      ],
    });
  });

  it('fills the node pool from a preset and shows reservation fields only in reservation mode', async () => {
    const user = userEvent.setup();
    await renderStackForm();
    await formReady();

    await choose(user, /^Preset/, 'L4 Spot for inference');
    expect(
      await screen.findByRole('button', {
        name: /Machine type g2-standard-8 — 1× NVIDIA L4/,
      }),
    ).toBeInTheDocument();
    expect(
      screen.getByRole('button', { name: /Provisioning mode Spot/ }),
    ).toBeInTheDocument();
    expect(
      screen.getByRole('spinbutton', { name: /Maximum nodes/ }),
    ).toHaveValue(8);
    expect(
      screen.queryByRole('spinbutton', { name: /Maximum node lifetime/ }),
    ).toBeNull();

    await choose(user, /^Preset/, 'A100 on-demand with a reservation');
    const reservation = await screen.findByRole('textbox', {
      name: /Reservation name/,
    });
    expect(reservation).toBeRequired();
    await user.type(reservation, 'a100-reservation');

    // Leaving reservation mode drops the reservation (the spec refuses it in other modes).
    await choose(user, /^Provisioning mode/, /^On-demand/);
    expect(
      screen.queryByRole('textbox', { name: /Reservation name/ }),
    ).toBeNull();
    expect(
      screen.getByRole('button', { name: /^Preset Custom/ }),
    ).toBeInTheDocument();
    await fillIdentity(user);
    await next(user);
    await next(user);
    await user.click(await screen.findByRole('button', { name: 'Review' }));
    expect(screen.queryByText('a100-reservation')).toBeNull();
  });

  it('reports a zone outside the region on page 1, with the message and path the action gives', async () => {
    const user = userEvent.setup();
    await renderStackForm({
      initialState: {
        identity: { ...identityValues, zones: ['europe-west4-a'] },
      },
    });
    const zone = await screen.findByLabelText(
      'europe-west4-a — not in us-central1',
    );
    expect(zone).toBeChecked();
    await next(user);
    expect(
      await screen.findAllByText(
        'zone europe-west4-a is not in region us-central1',
      ),
    ).not.toHaveLength(0);
    // Still on page 1.
    expect(screen.getByRole('button', { name: /^Preset/ })).toBeInTheDocument();
  });

  it('opens a collapsed group when a cross-field rule fails inside it', async () => {
    const user = userEvent.setup();
    await renderStackForm();
    await formReady();
    await fillIdentity(user);
    const details = screen.getByRole('button', { name: /Node pool details/ });
    await user.click(details);
    const minNodes = await screen.findByRole('spinbutton', {
      name: /Minimum nodes/,
    });
    await user.clear(minNodes);
    await user.type(minNodes, '5');
    await user.click(details); // close it again
    await waitFor(() =>
      expect(
        screen.queryByRole('spinbutton', { name: /Minimum nodes/ }),
      ).toBeNull(),
    );

    await next(user);
    expect(
      await screen.findAllByText('minNodes (5) exceeds maxNodes (4)'),
    ).not.toHaveLength(0);
    expect(
      screen.getAllByText(
        'queued provisioning pools start empty: minNodes must be 0',
      ),
    ).not.toHaveLength(0);
    expect(
      screen.getByRole('button', { name: /Node pool details/ }),
    ).toHaveAttribute('aria-expanded', 'true');
    expect(
      screen.getByRole('spinbutton', { name: /Minimum nodes/ }),
    ).toHaveValue(5);
  });

  it('moves the zones along with the region, to a zone offering the machine type', async () => {
    const user = userEvent.setup();
    await renderStackForm();
    await formReady();
    await choose(user, /^Region/, 'europe-west1 (Belgium)');
    await waitFor(() =>
      expect(zoneCheckboxes()).toEqual([['europe-west1-b', true]]),
    );
  });

  it('moves the zone when the machine type is not offered there', async () => {
    const user = userEvent.setup();
    await renderStackForm();
    await formReady();
    expect(zoneCheckboxes()).toEqual([['us-central1-b', true]]);
    await choose(user, /^Machine type/, /^a2-ultragpu-8g/);
    await waitFor(() =>
      expect(zoneCheckboxes()).toEqual([
        ['us-central1-a', true],
        ['us-central1-c', false],
      ]),
    );
  });

  it('limits GPU model and count to what the machine type carries', async () => {
    const user = userEvent.setup();
    await renderStackForm();
    await formReady();
    await choose(user, /^Machine type/, /^n1-standard-8/);
    await user.click(screen.getByRole('button', { name: /Node pool details/ }));
    await user.click(
      await screen.findByRole('button', { name: /^GPUs per node/ }),
    );
    const options = await screen.findAllByRole('option');
    expect(options.map(o => o.textContent)).toEqual([
      'From the machine type',
      '1',
      '2',
      '4',
    ]);
  });
});
