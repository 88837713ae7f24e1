import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { mockCredentials, mockServices } from '@backstage/backend-test-utils';
import type { BackstageCredentials } from '@backstage/backend-plugin-api';
import type { Entity } from '@backstage/catalog-model';
import { ConfigReader } from '@backstage/config';
import type { JsonObject } from '@backstage/types';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { createMockActionContext } from '@backstage/plugin-scaffolder-node-test-utils';
import { readGpuClusterScaffolderConfig } from '../config';
import { StackGuard } from '../actions/guard';

/** A valid minimal spec input (what the form sends for the required fields). */
export const VALUES = {
  identity: {
    projectId: 'e2e-project-1',
    namePrefix: 'e2e',
    owner: 'group:default/ml-platform',
  },
};

/** The policy of the tests: ml-platform may create stacks in e2e-project-1. */
export const TEST_POLICY = {
  adminGroups: ['group:default/platform-admins'],
  groups: [
    {
      group: 'group:default/ml-platform',
      projects: ['e2e-project-1'],
      stateBucket: 'e2e-tfstate',
      maxGpusPerStack: 64,
    },
  ],
};

/** The test user: a member of ml-platform. */
export const ALICE = {
  userEntityRef: 'user:default/alice',
  ownershipEntityRefs: ['user:default/alice', 'group:default/ml-platform'],
};

export const configFrom = (gpuCluster: JsonObject = {}) =>
  readGpuClusterScaffolderConfig(
    new ConfigReader({ gpuCluster: { policy: TEST_POLICY, ...gpuCluster } }),
  );

/** A catalog holding `entities`, whose writes are recorded. */
export function testCatalog(entities: Entity[] = []) {
  const catalog = catalogServiceMock({ entities });
  return Object.assign(catalog, {
    addLocation: jest.fn(async () => ({} as any)),
    refreshEntity: jest.fn(async () => {}),
  });
}

/** The guard of the actions, with the user, permission decision and catalog of a test. */
export function testGuard(
  config: ReturnType<typeof configFrom>,
  options: {
    user?: { userEntityRef: string; ownershipEntityRefs: string[] };
    result?: AuthorizeResult.ALLOW | AuthorizeResult.DENY;
    catalog?: ReturnType<typeof testCatalog>;
  } = {},
) {
  const user = options.user ?? ALICE;
  return new StackGuard({
    config,
    permissions: mockServices.permissions({
      result: options.result ?? AuthorizeResult.ALLOW,
    }),
    userInfo: mockServices.userInfo(user),
    auth: mockServices.auth(),
    catalog: options.catalog ?? testCatalog(),
  });
}

/**
 * An action context over a real workspace directory; the mock's isDryRun/signal are not taken
 * from its options, hence the overrides here.
 */
export function actionContext<TInput extends JsonObject>(options: {
  input: TInput;
  workspacePath: string;
  isDryRun?: boolean;
  signal?: AbortSignal;
  credentials?: BackstageCredentials;
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
    getInitiatorCredentials: async () =>
      options.credentials ?? mockCredentials.user(ALICE.userEntityRef),
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
