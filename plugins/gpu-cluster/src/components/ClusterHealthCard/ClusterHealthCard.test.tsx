import { renderInTestApp } from '@backstage/frontend-test-utils';
import type { ClusterStatus } from '@gpu-platform/backstage-plugin-gpu-cluster-common';
import { screen, within } from '@testing-library/react';
import { demoStatus } from '../../__testUtils__/demoStatus';
import { ClusterHealthCard } from './ClusterHealthCard';

const render = (status: Partial<ClusterStatus> = {}) =>
  renderInTestApp(<ClusterHealthCard status={{ ...demoStatus, ...status }} />);

/** The value of one term of the card's definition list. */
const valueOf = (term: string) =>
  screen.getByText(term, { selector: 'dt' }).nextElementSibling as HTMLElement;

describe('ClusterHealthCard', () => {
  it('lays the values out as a definition list whose rows wrap whole, ids breaking anywhere and states never', async () => {
    await render();
    const list = screen.getByLabelText('cluster health');
    expect(list.tagName).toBe('DL');
    const row = valueOf('Project').parentElement!;
    // A narrow card moves the value under its term instead of squeezing it letter by letter.
    expect(getComputedStyle(row).display).toBe('flex');
    expect(getComputedStyle(row).flexWrap).toBe('wrap');
    expect(valueOf('Project')).toHaveTextContent('gpu-launchpad-demo');
    expect(getComputedStyle(valueOf('Project')).overflowWrap).toBe('anywhere');
    const running = within(valueOf('GKE status')).getByText('RUNNING');
    const chip = running.closest('[data-tone]')!;
    expect(chip).toHaveAttribute('data-tone', 'ok');
    expect(getComputedStyle(chip).whiteSpace).toBe('nowrap');
    expect(valueOf('Location')).toHaveTextContent('us-central1');
    expect(valueOf('GPU usage')).toHaveTextContent(
      '8 in use of 16 allocatable (16 capacity)',
    );
  });

  it('says unknown, not 0, for counts whose data is missing, and names the failing kinds', async () => {
    await render({
      summary: {
        gpusCapacity: 16,
        gpusAllocatable: 16,
        nodes: 2,
        readyNodes: 2,
      },
      sources: [
        {
          name: 'kubernetes',
          ok: true,
          kinds: [
            { kind: 'pods', state: 'unavailable', error: '403 forbidden' },
            {
              kind: 'workloads',
              state: 'stale',
              staleSince: '2026-09-01T07:59:00Z',
            },
          ],
        },
        {
          name: 'gke',
          ok: false,
          error: 'gke gpu-launchpad-demo/us-central1: 503',
        },
      ],
      gke: undefined,
    });
    expect(valueOf('GPU usage')).toHaveTextContent(
      'unknown (pods could not be read) in use of 16 allocatable',
    );
    expect(valueOf('Pending workloads')).toHaveTextContent('unknown');
    expect(
      within(valueOf('GKE status')).getByText('unknown').closest('[data-tone]'),
    ).toHaveAttribute('data-tone', 'warning');
    expect(valueOf('Project')).toHaveTextContent('—');
    const sources = within(valueOf('Sources'));
    expect(
      sources
        .getByText(
          /kubernetes: pods unavailable \(403 forbidden\); workloads stale/,
        )
        .closest('[data-tone]'),
    ).toHaveAttribute('data-tone', 'warning');
    expect(
      sources.getByText(/gke: gke gpu-launchpad-demo/).closest('[data-tone]'),
    ).toHaveAttribute('data-tone', 'error');
  });

  it('marks counts of a stale section as the last known ones, naming the kind and since when', async () => {
    await render({
      sections: {
        ...demoStatus.sections,
        gpuUsage: {
          state: 'stale',
          staleSince: '2026-09-01T07:59:00Z',
          message: 'pods stale (403: pods is forbidden)',
        },
      },
      sources: [
        {
          name: 'kubernetes',
          ok: true,
          kinds: [
            {
              kind: 'pods',
              state: 'stale',
              staleSince: '2026-09-01T07:59:00Z',
              error: '403: pods is forbidden',
            },
          ],
        },
      ],
    });
    expect(valueOf('GPU usage')).toHaveTextContent(
      '8 in use (last known, pods not readable since 2026-09-01T07:59:00Z) of 16 allocatable',
    );
    // Workloads read fine: its count is current.
    expect(valueOf('Pending workloads')).not.toHaveTextContent('last known');
  });

  it('shows a GKE error state as an error chip', async () => {
    await render({ gke: { ...demoStatus.gke!, status: 'ERROR' } });
    expect(
      within(valueOf('GKE status')).getByText('ERROR').closest('[data-tone]'),
    ).toHaveAttribute('data-tone', 'error');
  });
});
