import { renderInTestApp } from '@backstage/frontend-test-utils';
import type {
  ClusterStatus,
  StatusFlag,
} from '@gpu-platform/backstage-plugin-gpu-cluster-common';
import { screen, within } from '@testing-library/react';
import { demoStatus } from '../../__testUtils__/demoStatus';
import { WhyNotRunning } from './WhyNotRunning';

const quota: StatusFlag = {
  severity: 'error',
  code: 'ProvisioningQuotaExceeded',
  subject: 'ProvisioningRequest default/job-train-1a2b3-dws-prov-1',
  message:
    'Provisioning failed (QuotaExceeded): Compute Engine quota NVIDIA_H200_GPUS in region us-central1 (limit 16.0) is too small for the request.',
  fix: 'Request an increase of NVIDIA_H200_GPUS in us-central1 for project gpu-launchpad-demo on the quotas page, or request fewer GPUs; Kueue retries the check.',
  link: {
    title: 'Quotas in the Cloud console',
    url: 'https://console.cloud.google.com/iam-admin/quotas?project=gpu-launchpad-demo',
  },
};
const booking: StatusFlag = {
  severity: 'warning',
  code: 'ProvisioningBookingExpired',
  subject: 'ProvisioningRequest default/job-eval-9z8y7-dws-prov-1',
  message:
    'Booking expired before the pods started: the nodes may scale down (they are now candidates for scale-down when underutilized), and the capacity is lost.',
  fix: 'Make the pods start within the 10-minute booking; Kueue retries with a new ProvisioningRequest.',
  reference: 'https://github.com/kubernetes/autoscaler/issues/6555',
};

const render = (status: Partial<ClusterStatus>) =>
  renderInTestApp(<WhyNotRunning status={{ ...demoStatus, ...status }} />);

describe('WhyNotRunning', () => {
  it('shows each flag as a coloured chip with its message, the fix and where to act, in the order given', async () => {
    await render({ flags: { items: [quota, booking], limit: 25, total: 2 } });
    const shown = screen.getAllByRole('region', { name: /^flag / });
    expect(shown.map(s => s.getAttribute('aria-label'))).toEqual([
      `flag ProvisioningQuotaExceeded ${quota.subject}`,
      `flag ProvisioningBookingExpired ${booking.subject}`,
    ]);
    const first = within(shown[0]);
    expect(
      first.getByText(quota.subject).closest('[data-tone]'),
    ).toHaveAttribute('data-tone', 'error');
    expect(
      first.getByText(/NVIDIA_H200_GPUS in region us-central1/),
    ).toBeInTheDocument();
    expect(first.getByText(/^Fix: Request an increase/)).toBeInTheDocument();
    expect(
      first.getByRole('link', { name: /^Quotas in the Cloud console/ }),
    ).toHaveAttribute('href', quota.link!.url);
    const second = within(shown[1]);
    expect(
      second.getByText(booking.subject).closest('[data-tone]'),
    ).toHaveAttribute('data-tone', 'warning');
    expect(second.getByText(/may scale down/)).toBeInTheDocument();
    expect(
      second.getByRole('link', { name: /^upstream issue/ }),
    ).toHaveAttribute('href', booking.reference);
  });

  it('says how many flags the bounded head leaves out', async () => {
    await render({ flags: { items: [quota], limit: 1, total: 4 } });
    expect(
      screen.getByText('3 more flags of the same kinds are not shown.'),
    ).toBeInTheDocument();
  });

  it('says when nothing is waiting, and shows the verdicts as chips', async () => {
    await render({});
    expect(
      screen
        .getByText('llama-finetune-waiting: WaitingForCapacity')
        .closest('[data-tone]'),
    ).toHaveAttribute('data-tone', 'pending');
    await render({
      flags: { items: [], limit: 25, total: 0 },
      explanations: { items: [], limit: 10, total: 0 },
    });
    expect(screen.getByText('No unfinished workloads.')).toBeInTheDocument();
  });

  it('says the workloads are missing instead of "no unfinished workloads" when they could not be read', async () => {
    await render({
      sections: {
        ...demoStatus.sections,
        workloads: { state: 'missing', message: 'workloads: 403 forbidden' },
      },
      explanations: { items: [], limit: 10, total: 0 },
    });
    expect(
      screen.getByText('Error: Workloads could not be read'),
    ).toBeInTheDocument();
    expect(screen.queryByText('No unfinished workloads.')).toBeNull();
  });

  it('marks stale workloads with the time of the last good data', async () => {
    await render({
      sections: {
        ...demoStatus.sections,
        workloads: {
          state: 'stale',
          staleSince: '2026-09-01T07:58:00.000Z',
          message: 'workloads: 500',
        },
      },
    });
    expect(
      screen.getByText(
        'Warning: Workloads: last known data (not refreshed since 2026-09-01T07:58:00.000Z)',
      ),
    ).toBeInTheDocument();
  });
});
