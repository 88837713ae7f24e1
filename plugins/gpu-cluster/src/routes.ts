import { createRouteRef } from '@backstage/core-plugin-api';

/** The fleet page: every GPU cluster the signed-in user can see. @public */
export const gpuFleetRouteRef = createRouteRef({ id: 'gpu-cluster:fleet' });
