import { renderInTestApp } from '@backstage/frontend-test-utils';
import { screen } from '@testing-library/react';
import {
  StateChip,
  toneOfGkeStatus,
  toneOfProvisioning,
  toneOfRayCluster,
  toneOfRayJob,
  toneOfWorkloadPhase,
} from './StateChip';

describe('StateChip', () => {
  it.each([
    ['ok', 'status-ok'],
    ['running', 'status-running'],
    ['pending', 'status-pending'],
    ['warning', 'status-warning'],
    ['error', 'status-error'],
    ['aborted', 'status-aborted'],
  ] as const)(
    'renders the %s tone as Backstage %s, in one unbroken token',
    async (tone, testId) => {
      await renderInTestApp(<StateChip tone={tone}>RUNNING</StateChip>);
      const chip = screen.getByText('RUNNING').closest('[data-tone]')!;
      expect(chip).toHaveAttribute('data-tone', tone);
      expect(chip.querySelector(`[data-testid="${testId}"]`)).not.toBeNull();
      expect(getComputedStyle(chip).whiteSpace).toBe('nowrap');
    },
  );

  it('gives each upstream state its tone', () => {
    expect(
      [
        'RUNNING',
        'PROVISIONING',
        'STOPPING',
        'ERROR',
        'RUNNING_WITH_ERROR',
        undefined,
      ].map(toneOfGkeStatus),
    ).toEqual(['ok', 'running', 'aborted', 'error', 'error', 'warning']);
    expect(
      (
        [
          'Pending',
          'Running',
          'Finished',
          'Failed',
          'Evicted',
          'Inactive',
        ] as const
      ).map(toneOfWorkloadPhase),
    ).toEqual(['pending', 'running', 'ok', 'error', 'warning', 'aborted']);
    expect(
      (
        [
          'Accepted',
          'Provisioned',
          'BookingExpired',
          'CapacityRevoked',
          'Failed',
        ] as const
      ).map(toneOfProvisioning),
    ).toEqual(['pending', 'ok', 'warning', 'error', 'error']);
    const rc = {
      namespace: 'ray',
      name: 'rc',
      readyWorkers: 0,
      desiredWorkers: 0,
      conditions: [],
    };
    expect(
      [undefined, 'ready', 'suspended', 'failed'].map(state =>
        toneOfRayCluster({ ...rc, state }),
      ),
    ).toEqual(['pending', 'ok', 'aborted', 'error']);
    const job = { namespace: 'ray', name: 'j' };
    expect(
      [
        { jobDeploymentStatus: 'Initializing', jobStatus: 'PENDING' },
        { jobDeploymentStatus: 'Running', jobStatus: 'RUNNING' },
        { jobDeploymentStatus: 'Complete', jobStatus: 'SUCCEEDED' },
        { jobDeploymentStatus: 'Failed', jobStatus: 'FAILED' },
        { jobStatus: 'STOPPED' },
      ].map(j => toneOfRayJob({ ...job, ...j })),
    ).toEqual(['pending', 'running', 'ok', 'error', 'aborted']);
  });
});
