import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { mockServices } from '@backstage/backend-test-utils';
import { ConfigReader } from '@backstage/config';
import type { JsonObject } from '@backstage/types';
import { createMockActionContext } from '@backstage/plugin-scaffolder-node-test-utils';
import { readGpuClusterScaffolderConfig } from '../config';

/** A valid minimal spec input (what the form sends for the required fields). */
export const VALUES = {
  identity: {
    projectId: 'e2e-project-1',
    namePrefix: 'e2e',
    owner: 'group:default/ml-platform',
  },
};

export const configFrom = (gpuCluster: JsonObject = {}) =>
  readGpuClusterScaffolderConfig(new ConfigReader({ gpuCluster }));

/**
 * An action context over a real workspace directory; the mock's isDryRun/signal are not taken
 * from its options, hence the overrides here.
 */
export function actionContext<TInput extends JsonObject>(options: {
  input: TInput;
  workspacePath: string;
  isDryRun?: boolean;
  signal?: AbortSignal;
}) {
  const logger = mockServices.logger.mock();
  const ctx = createMockActionContext<TInput>({
    input: options.input,
    workspacePath: options.workspacePath,
    logger,
  });
  return {
    ...ctx,
    logger,
    isDryRun: options.isDryRun,
    signal: options.signal,
    createTemporaryDirectory: () =>
      fs.mkdtemp(path.join(os.tmpdir(), 'gpu-cluster-action-')),
  };
}

/** Everything an action logged, as one string (for "no secret in logs" checks). */
export function loggedText(
  logger: ReturnType<typeof mockServices.logger.mock>,
) {
  return [logger.info, logger.warn, logger.error, logger.debug]
    .flatMap(fn => fn.mock.calls)
    .map(call => JSON.stringify(call))
    .join('\n');
}
